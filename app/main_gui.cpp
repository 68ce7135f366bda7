// polar-studio: the desktop app. Parses the command line, builds the window,
// hands over to Qt.
#include "workbench/command_line.h"
#include "workbench/main_window.h"
#include "workbench/requested_run.h"
#include "widgets/appearance.h"
#include "engine/controller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>

int main(int argc, char **argv)
{
    // Our options never reach Qt's own parser, which would take --session for X11's.
    SplitCommandLine args = splitCommandLine(argc, argv, {"model", "session", "screenshot", "explain", "dataset", "recovery-file"},
                                             {"score", "help", "h", "help-all"});
    std::vector<char *> qtArgv = args.qtArgv();
    int qtArgc = int(qtArgv.size()) - 1;
    QApplication app(qtArgc, qtArgv.data());
    QApplication::setOrganizationName("PolarStudio");
    QApplication::setApplicationName("polar-studio");
    QApplication::setApplicationDisplayName("Polar Studio");
    QApplication::setWindowIcon(QIcon(":/icons/polar-studio.svg"));
    Appearance::restore(); // the theme chosen last time (View > Theme)

    QCommandLineParser parser;
    parser.setApplicationDescription("Workbench for POLAR reference-based reward models");
    parser.addHelpOption();
    QCommandLineOption modelOpt("model", "Open this POLAR model directory.", "DIR");
    QCommandLineOption sessionOpt("session", "Open this session file.", "FILE");
    QCommandLineOption scoreOpt("score", "Score once the model is loaded.");
    QCommandLineOption shotOpt("screenshot", "Render the window to FILE.png when ready, then exit.", "FILE");
    QCommandLineOption explainOpt("explain", "After scoring, explain the best candidate with METHOD (grad, ig, occlusion, curve).",
                                  "METHOD");
    QCommandLineOption datasetOpt("dataset", "Open this JSONL dataset for annotation (with --score: score it, and "
                                             "--screenshot renders the dataset window).", "FILE");
    QCommandLineOption recoveryOpt("recovery-file", "Autosave to FILE instead of the app data folder.", "FILE");
    parser.addOptions({modelOpt, sessionOpt, scoreOpt, shotOpt, explainOpt, datasetOpt, recoveryOpt});
    parser.process(args.ours);

    MainWindow window(parser.value(recoveryOpt));
    const QString screenshot = parser.value(shotOpt);
    const bool scripted = !screenshot.isEmpty();

    // After a crash the recovery file is still there: offer it back.
    bool restored = false;
    if (window.hasRecovery() && !scripted && !parser.isSet(sessionOpt)) {
        const auto answer = QMessageBox::question(nullptr, "Polar Studio",
                                                  "Polar Studio did not close normally. Restore the unsaved work?\n\n"
                                                      + window.recoverySummary(),
                                                  QMessageBox::Yes | QMessageBox::No);
        restored = answer == QMessageBox::Yes && window.restoreRecovery();
    }
    if (parser.isSet(sessionOpt))
        restored = window.openSession(parser.value(sessionOpt));
    if (!restored && !parser.isSet(sessionOpt))
        window.loadSeedExample();

    RequestedRun run(&window, {parser.value(datasetOpt), parser.isSet(scoreOpt), parser.value(explainOpt), screenshot});
    QObject::connect(&run, &RequestedRun::finished, &app, &QApplication::quit);

    if (parser.isSet(modelOpt))
        window.loadModel(parser.value(modelOpt));
    else if (window.engine()->busy() == false && !window.engine()->hasModel())
        window.loadDefaultModel();
    window.show();
    return app.exec();
}
