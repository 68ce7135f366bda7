#pragma once

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
