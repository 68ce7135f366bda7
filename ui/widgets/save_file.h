#pragma once

#include <QFileDialog>
#include <QString>

class QWidget;

// `path` with `.suffix` appended when it names a file with no suffix at all
// ("results" -> "results.csv"; "notes.txt" stays as the user typed it).
QString withDefaultSuffix(const QString &path, const QString &suffix);

// A save dialog that starts at `defaultName` and returns a path that ends in
// `.suffix` unless the user typed another; empty when cancelled. Every export
// goes through it, so none is written without an extension.
QString askSavePath(QWidget *parent, const QString &title, const QString &defaultName, const QString &filter,
                    const QString &suffix, QFileDialog::Options options = {});
