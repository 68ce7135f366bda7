// polar-studio: the desktop app. Reads the command line, builds the window,
// hands over to Qt.
#include "workbench/command_line.h"
#include "workbench/main_window.h"
#include "workbench/requested_run.h"
#include "widgets/appearance.h"
#include "engine/controller.h"

#include <QApplication>
#include <QIcon>
#include <QMessageBox>

#include <cstdio>

namespace {

// Prints why the command line stops here (help on stdout, a mistake on stderr).
int stopWith(const CommandLineVerdict &verdict)
{
    const QByteArray text = verdict.message.toLocal8Bit();
    if (verdict.exitCode == 0)
        std::printf("%s%s", text.constData(), text.endsWith('\n') ? "" : "\n");
    else
        std::fprintf(stderr, "polar-studio: %s\n", text.trimmed().constData());
    return verdict.exitCode;
}

} // namespace

int main(int argc, char **argv)
{
    // Our options never reach Qt's own parser, which would take --session for X11's.
    StudioCommandLine commandLine;
    SplitCommandLine args = splitCommandLine(argc, argv, StudioCommandLine::valueOptions(), StudioCommandLine::flags());
    if (const CommandLineVerdict verdict = commandLine.parse(args.ours); !verdict.proceed)
        return stopWith(verdict);

    std::vector<char *> qtArgv = args.qtArgv();
    int qtArgc = int(qtArgv.size()) - 1;
    QApplication app(qtArgc, qtArgv.data());
    // Qt has taken its own options out of argv: the rest are files to open, or mistakes.
    QStringList leftovers;
    for (int i = 1; i < qtArgc; ++i)
        leftovers << QString::fromLocal8Bit(qtArgv[size_t(i)]);
    if (const CommandLineVerdict verdict = commandLine.addLeftovers(leftovers); !verdict.proceed)
        return stopWith(verdict);
    const StudioOptions &options = commandLine.options();

    QApplication::setOrganizationName("PolarStudio");
    QApplication::setApplicationName("polar-studio");
    QApplication::setApplicationDisplayName("Polar Studio");
    QApplication::setWindowIcon(QIcon(":/icons/polar-studio.svg"));
    Appearance::restore(); // the theme chosen last time (View > Theme)

    MainWindow window(options.recoveryFile);
    const bool scripted = !options.run.screenshot.isEmpty();

    // After a crash the recovery file is still there: offer it back.
    bool restored = false;
    if (window.hasRecovery() && !scripted && options.session.isEmpty()) {
        const auto answer = QMessageBox::question(nullptr, "Polar Studio",
                                                  "Polar Studio did not close normally. Restore the unsaved work?\n\n"
                                                      + window.recoverySummary(),
                                                  QMessageBox::Yes | QMessageBox::No);
        restored = answer == QMessageBox::Yes && window.restoreRecovery();
    }
    if (!options.session.isEmpty())
        restored = window.openSession(options.session);
    if (!restored && options.session.isEmpty())
        window.loadSeedExample();

    RequestedRun run(&window, options.run);
    QObject::connect(&run, &RequestedRun::finished, &app, [&run](bool ok) {
        if (!ok)
            std::fprintf(stderr, "polar-studio: %s\n", run.failure().toLocal8Bit().constData());
        QApplication::exit(ok ? 0 : 1);
    });

    if (!options.model.isEmpty())
        window.loadModel(options.model);
    else if (window.engine()->busy() == false && !window.engine()->hasModel())
        window.loadDefaultModel();
    window.show();
    return app.exec();
}
