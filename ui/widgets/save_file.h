#pragma once

#include <QFileDialog>
#include <QString>

#include "util/json.h"

class QWidget;

// `path` with `.suffix` appended when it names a file with no suffix at all
// ("results" -> "results.csv"; "notes.txt" stays as the user typed it).
QString withDefaultSuffix(const QString &path, const QString &suffix);

// A save dialog that starts at `defaultName` and returns a path that ends in
// `.suffix` unless the user typed another; empty when cancelled. Every export
// goes through it, so none is written without an extension.
// `bytes` into `path` through core's atomic write (temporary file, then
// rename); false with `error` naming the path when that fails.
bool saveFile(const QString &path, const QByteArray &bytes, QString *error = nullptr);

// Asks where (as askSavePath does) and writes `json` there atomically;
// returns the error, "" when saved or cancelled.
QString saveJsonAs(QWidget *parent, const QString &title, const QString &defaultName, const polar::Json &json);

QString askSavePath(QWidget *parent, const QString &title, const QString &defaultName, const QString &filter,
                    const QString &suffix, QFileDialog::Options options = {});
