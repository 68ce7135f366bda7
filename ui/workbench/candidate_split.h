#pragma once

#include <QString>
#include <QStringList>

// Splits pasted text into candidates: on lines holding only "---" when there
// are any (so a candidate may contain blank lines), else on blank lines.
// Surrounding whitespace is trimmed and empty pieces dropped.
QStringList splitCandidates(const QString &text);
