#include "training/fine_tune_runner.h"

#include "util/error.h"

#include <QThread>

FineTuneRunner::FineTuneRunner(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<polar::TrainProgress>();
    qRegisterMetaType<polar::FineTuneResult>();
}

FineTuneRunner::~FineTuneRunner()
{
    if (m_thread) {
        m_cancel->store(true);
        m_thread->wait();
    }
}

void FineTuneRunner::start(Job job)
{
    if (m_thread)
        return;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    auto cancel = m_cancel;
    // The thread's lambda emits on this object: Qt queues the signals to the
    // GUI thread because the receivers live there.
    m_thread = QThread::create([this, job = std::move(job), cancel] {
        polar::TrainControl control;
        control.cancel = cancel.get();
        control.progress = [this](const polar::TrainProgress &p) { Q_EMIT progress(p); };
        control.log = [this](const std::string &line) { Q_EMIT logLine(QString::fromStdString(line)); };
        try {
            const auto result = polar::fineTuneOnAnnotations(job.baseModel.toStdString(), job.items, job.datasetPath.toStdString(),
                                                             job.outputDir.toStdString(), job.options, job.scoring, control);
            Q_EMIT finished(result);
        } catch (const polar::Cancelled &) {
            Q_EMIT cancelled(job.outputDir);
        } catch (const std::exception &e) {
            Q_EMIT failed(QString::fromStdString(e.what()));
        }
    });
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->deleteLater();
        m_thread = nullptr;
    });
    m_thread->start();
}

void FineTuneRunner::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}
