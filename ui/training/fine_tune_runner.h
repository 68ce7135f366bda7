#pragma once

#include "training/fine_tune.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

// Runs polar::fineTuneOnAnnotations on a thread of its own (training takes
// minutes to hours; the engine thread stays free for the windows) and reports
// back through queued signals. One run at a time.
class FineTuneRunner : public QObject
{
    Q_OBJECT

public:
    explicit FineTuneRunner(QObject *parent = nullptr);
    ~FineTuneRunner() override; // cancels and waits: the checkpoint is saved

    struct Job
    {
        QString baseModel, datasetPath, outputDir;
        std::vector<polar::AnnotatedItem> items; // a snapshot: the project stays the GUI's
        polar::TrainOptions options;
        polar::ScoringSettings scoring;
    };
    void start(Job job);
    void cancel();
    bool running() const { return m_thread != nullptr; }

Q_SIGNALS:
    void progress(const polar::TrainProgress &p);
    void logLine(const QString &line);
    void finished(const polar::FineTuneResult &result);
    void cancelled(const QString &outputDir);
    void failed(const QString &error);

private:
    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic_bool> m_cancel;
};

