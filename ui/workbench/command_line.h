#pragma once

#include "workbench/requested_run.h"

#include <QString>
#include <QStringList>

#include <string>
#include <vector>

// polar-studio's own options are taken out of argv before QApplication sees
// it: Qt claims some names for itself (X11 session management swallows
// `-session` and `--session FILE`) and would eat them silently.
struct SplitCommandLine
{
    QStringList ours;                 // program name first, then our options: for QCommandLineParser
    std::vector<std::string> forQt;   // program name first, then everything else
    std::vector<char *> qtArgv();     // pointers into forQt, null-terminated, for QApplication
};

// `valueOptions` take a value ("--name VALUE" or "--name=VALUE"); `flags` do
// not. Either may be spelled with one dash or two.
SplitCommandLine splitCommandLine(int argc, char **argv, const QStringList &valueOptions, const QStringList &flags);

// What polar-studio is asked to do.
struct StudioOptions
{
    QString model;        // --model DIR, or a directory named on its own
    QString session;      // --session FILE, or a *.json named on its own
    QString recoveryFile; // --recovery-file FILE
    // --dataset FILE (or a *.jsonl, a dataset or its project file, named on
    // its own), --score (implied by --explain), --explain METHOD (a method core
    // knows), --screenshot FILE: done once the first model is loaded.
    RunRequest run;
};

// The outcome of reading a command line: go on, or stop with `message`
// (help or version on stdout with status 0, a mistake on stderr with 2).
struct CommandLineVerdict
{
    bool proceed = true;
    int exitCode = 0;
    QString message;
};

class StudioCommandLine
{
public:
    // The names splitCommandLine must keep from Qt.
    static QStringList valueOptions();
    static QStringList flags();

    // Our options, read before QApplication exists so that --help and a
    // mistyped value need no display.
    CommandLineVerdict parse(const QStringList &ours);
    // What Qt left in argv once it took its own options (-platform, -style…):
    // files a file manager or a shell passes (a session, a dataset or project
    // file, a model directory) join the options; anything else is a mistake,
    // never silently ignored.
    CommandLineVerdict addLeftovers(const QStringList &leftovers);

    const StudioOptions &options() const { return m_options; }

private:
    CommandLineVerdict addFiles(const QStringList &paths);

    StudioOptions m_options;
};
