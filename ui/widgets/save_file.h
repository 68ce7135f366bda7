#pragma once

#include "widgets/file_dialogs.h"

#include <QString>

#include "util/json.h"

class QWidget;

// `bytes` into `path` through core's atomic write (temporary file, then
// rename); false with `error` naming the path when that fails.
bool saveFile(const QString &path, const QByteArray &bytes, QString *error = nullptr);

// Asks where (as askSavePath does) and writes `json` there atomically;
// returns the error, "" when saved or cancelled.
QString saveJsonAs(QWidget *parent, const QString &title, const QString &defaultName, const polar::Json &json);
