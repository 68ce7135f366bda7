// How responsive the window stays while it scores: a 5 ms timer on the GUI
// thread records the longest gap between its ticks during a long scoring run.
// Usage: bench_ui_responsiveness [MODEL_DIR] [CANDIDATES]
#include "engine/controller.h"
#include "workbench/main_window.h"
#include "workbench/workspace_document.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QString model = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString(POLAR_SOURCE_DIR "/tests/data/tiny-polar");
    const int count = argc > 2 ? std::atoi(argv[2]) : 400;
    MainWindow window(QDir::temp().filePath("polar-bench-recovery.json"));
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadModel(model);
    if (!ready.wait(600000) || !ready.first().first().toBool())
        return 1;

    polar::Workspace ws;
    ws.prompt = polar::TextField::fromString("Summarize the plot of a long novel about a desert planet in one paragraph.");
    ws.reference = polar::TextField::fromString(std::string(800, 'a').replace(0, 40, "A young heir survives betrayal and leads "));
    for (int i = 0; i < count; ++i) {
        std::string text;
        for (int w = 0; w < 120 + (i * 37) % 200; ++w)
            text += (w ? " " : "") + std::to_string((i * 7919 + w * 104729) % 100000);
        ws.addCandidate(polar::TextField::fromString(text));
    }
    window.document()->reset(ws);

    QElapsedTimer clock, sinceTick;
    qint64 worst = 0, ticks = 0;
    QTimer tick;
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        worst = std::max(worst, sinceTick.nsecsElapsed());
        sinceTick.restart();
        ++ticks;
    });
    QSignalSpy done(&window, &MainWindow::scoringDone);
    qint64 worstWhileScoring = -1, finishedAt = 0;
    QObject::connect(window.engine(), &EngineController::scoreFinished, &window, [&] {
        worstWhileScoring = worst; // before the results are laid out
        finishedAt = clock.nsecsElapsed();
    });
    clock.start();
    sinceTick.start();
    tick.start();
    window.score();
    done.wait(3600000);
    tick.stop();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    std::printf("scored %d candidates with %s in %.2f s; GUI thread while the engine scored: %lld ticks of a 5 ms timer, "
                "longest gap %.1f ms; laying out the results took %.1f ms\n",
                count, qPrintable(model), seconds, ticks, double(worstWhileScoring) / 1e6,
                double(clock.nsecsElapsed() - finishedAt) / 1e6);
    window.discardRecovery();
    return 0;
}
