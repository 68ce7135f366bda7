#pragma once

#include <QFileDialog>
#include <QString>

class QWidget;

// The app's file dialogs. Each starts where the user last chose a file (a
// setting kept across runs) unless told where, rather than in whatever folder
// the app was started from, and remembers the folder of what was chosen.

// `path` with `.suffix` appended when it names a file with no suffix at all
// ("results" -> "results.csv"; "notes.txt" stays as the user typed it).
QString withDefaultSuffix(const QString &path, const QString &suffix);

// A save dialog that starts at `defaultName` (a bare name goes in the last
// folder used) and returns a path that ends in `.suffix` unless the user typed
// another; empty when cancelled. Every export goes through it, so none is
// written without an extension.
QString askSavePath(QWidget *parent, const QString &title, const QString &defaultName, const QString &filter,
                    const QString &suffix, QFileDialog::Options options = {});

// An open dialog that starts in `folder`, or the last folder used when that is
// empty; empty when cancelled.
QString askOpenPath(QWidget *parent, const QString &title, const QString &filter, const QString &folder = {});

// Where a dialog given `nameOrPath` starts: a bare file name (or nothing) in
// the last folder used, while that folder exists; a path as it is.
QString dialogStart(const QString &nameOrPath);
// Records the folder of a chosen file as the last folder used; returns `path`.
QString rememberFolderOf(const QString &path);
