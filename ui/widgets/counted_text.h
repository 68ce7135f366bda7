#pragma once

#include <QString>

// "1 line" or "3 lines", both forms translatable (`many` holds %1). Qt's
// tr("%n line(s)", nullptr, n) shows "(s)" verbatim unless an English
// translation supplies the plural forms, and the app ships none.
QString countedText(qint64 n, const QString &one, const QString &many);
