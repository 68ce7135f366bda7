#include "workbench/command_line.h"

#include "attribution/attribution.h"
#include "model/reward_model.h"
#include "polar_version.h"

#include <QCommandLineParser>
#include <QFileInfo>

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

QStringList StudioCommandLine::valueOptions()
{
    return {"model", "session", "screenshot", "explain", "dataset", "recovery-file"};
}

QStringList StudioCommandLine::flags()
{
    return {"score", "help", "h", "?", "help-all", "version", "v"};
}

CommandLineVerdict StudioCommandLine::parse(const QStringList &ours)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Workbench for POLAR reference-based reward models");
    parser.addPositionalArgument("FILE", "A session (.json), a dataset or its project file (.jsonl), or a model directory.",
                                 "[FILE...]");
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version({"v", "version"}, "Show the version and the LibTorch it runs on.");
    const QCommandLineOption model("model", "Open this POLAR model directory.", "DIR");
    const QCommandLineOption session("session", "Open this session file.", "FILE");
    const QCommandLineOption score("score", "Score once the model is loaded.");
    const QCommandLineOption screenshot("screenshot", "Render the window to FILE.png when ready, then exit (status 1, and "
                                                      "why on stderr, if anything asked for failed).", "FILE");
    const QCommandLineOption explain("explain", "Score, then explain the best candidate with METHOD (grad, ig, occlusion, curve).",
                                     "METHOD");
    const QCommandLineOption dataset("dataset", "Open this JSONL dataset (or its project file) for annotation (with --score: "
                                                "score it, and --screenshot renders the dataset window).", "FILE");
    const QCommandLineOption recovery("recovery-file", "Autosave to FILE instead of the app data folder.", "FILE");
    parser.addOptions({version, model, session, score, screenshot, explain, dataset, recovery});

    if (!parser.parse(ours))
        return {false, 2, parser.errorText()};
    if (parser.isSet(help) || parser.isSet("help-all")) {
        QString text = parser.helpText().replace("<executable_name>", "polar-studio"); // no app yet to name it
        // Qt lists its own options only once an application exists, and help needs no display.
        if (parser.isSet("help-all"))
            text += "\nQt's options, passed on to Qt:\n"
                    "  -platform NAME[:OPTIONS]  The platform plugin (xcb, wayland, offscreen, ...).\n"
                    "  -platformtheme NAME       The platform theme.\n"
                    "  -style NAME               The widget style (Fusion, Windows, ...).\n"
                    "  -stylesheet FILE          A Qt style sheet for the whole application.\n"
                    "  -reverse                  Right-to-left layout.\n"
                    "  -qwindowtitle TITLE       The first window's title.\n"
                    "  -display DISPLAY          The X11 display (xcb only).\n"
                    "Every one: https://doc.qt.io/qt-6/qguiapplication.html#supported-command-line-options\n";
        return {false, 0, text};
    }
    if (parser.isSet(version))
        return {false, 0, QString("Polar Studio %1\n%2").arg(POLAR_STUDIO_VERSION, QString::fromStdString(polar::runtimeDescription()))};

    m_options.model = parser.value(model);
    m_options.session = parser.value(session);
    m_options.run.dataset = parser.value(dataset);
    m_options.run.score = parser.isSet(score);
    m_options.run.screenshot = parser.value(screenshot);
    m_options.recoveryFile = parser.value(recovery);
    m_options.run.explain = parser.value(explain);
    if (!m_options.run.explain.isEmpty()) {
        try {
            polar::parseAttributionMethod(m_options.run.explain.toStdString());
        } catch (const std::exception &e) {
            return {false, 2, QString("--explain: %1").arg(QString::fromUtf8(e.what()))};
        }
        m_options.run.score = true; // there is nothing to explain before a scoring
    }
    return addFiles(parser.positionalArguments());
}

CommandLineVerdict StudioCommandLine::addLeftovers(const QStringList &leftovers)
{
    for (const QString &arg : leftovers) {
        if (arg.startsWith('-') && arg != "-")
            return {false, 2, QString("unknown option '%1' (polar-studio --help lists them)").arg(arg)};
    }
    return addFiles(leftovers);
}

CommandLineVerdict StudioCommandLine::addFiles(const QStringList &paths)
{
    for (const QString &path : paths) {
        const QFileInfo info(path);
        QString *slot = nullptr;
        QString kind;
        if (!info.exists())
            return {false, 2, QString("%1: no such file or directory").arg(path)};
        if (info.isDir()) {
            slot = &m_options.model;
            kind = "model directories";
        } else if (path.endsWith(".jsonl", Qt::CaseInsensitive)) {
            slot = &m_options.run.dataset;
            kind = "datasets";
        } else if (path.endsWith(".json", Qt::CaseInsensitive)) {
            slot = &m_options.session;
            kind = "sessions";
        } else {
            return {false, 2, QString("%1: not a session (.json), a dataset or project file (.jsonl) or a model directory").arg(path)};
        }
        if (!slot->isEmpty())
            return {false, 2, QString("two %1 given (%2 and %3); the app opens one of each").arg(kind, *slot, path)};
        *slot = path;
    }
    return {};
}
