#include "workbench/command_line.h"

namespace {

// The option's name when `arg` is one of ours ("--x", "-x", "--x=v"), else "".
QString ourName(const QString &arg, const QStringList &names)
{
    if (!arg.startsWith('-') || arg == "-" || arg == "--")
        return {};
    QString name = arg.mid(arg.startsWith("--") ? 2 : 1);
    const int eq = name.indexOf('=');
    if (eq >= 0)
        name.truncate(eq);
    return names.contains(name) ? name : QString();
}

} // namespace

std::vector<char *> SplitCommandLine::qtArgv()
{
    std::vector<char *> v;
    for (auto &s : forQt)
        v.push_back(s.data());
    v.push_back(nullptr);
    return v;
}

SplitCommandLine splitCommandLine(int argc, char **argv, const QStringList &valueOptions, const QStringList &flags)
{
    SplitCommandLine out;
    if (argc < 1)
        return out;
    out.ours << QString::fromLocal8Bit(argv[0]);
    out.forQt.emplace_back(argv[0]);
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == "--") { // the rest are positional: ours
            for (; i < argc; ++i)
                out.ours << QString::fromLocal8Bit(argv[i]);
            break;
        }
        if (!ourName(arg, flags).isEmpty()) {
            out.ours << arg;
        } else if (!ourName(arg, valueOptions).isEmpty()) {
            out.ours << arg;
            if (!arg.contains('=') && i + 1 < argc)
                out.ours << QString::fromLocal8Bit(argv[++i]);
        } else {
            out.forQt.emplace_back(argv[i]);
        }
    }
    return out;
}
