#include "analysis/analysis_wait.h"

#include "engine/controller.h"

#include <QProgressBar>
#include <QPushButton>

AnalysisWait::AnalysisWait(EngineController *engine, QMetaType resultType, QProgressBar *progress, QPushButton *run, QObject *parent)
    : QObject(parent), m_type(resultType), m_progress(progress), m_run(run)
{
    connect(engine, &EngineController::analysisProgress, this, [this](int done, int total) {
        if (!m_waiting)
            return;
        m_progress->setRange(0, std::max(1, total));
        m_progress->setValue(done);
    });
    connect(engine, &EngineController::analysisFinished, this, [this](const QVariant &result) {
        if (!m_waiting || result.metaType() != m_type)
            return;
        stop();
        Q_EMIT finished(result);
    });
    connect(engine, &EngineController::analysisFailed, this, [this](const QString &error) {
        if (!m_waiting)
            return;
        stop();
        Q_EMIT failed(error);
    });
}

void AnalysisWait::start()
{
    m_waiting = true;
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_run->setEnabled(false);
}

void AnalysisWait::stop()
{
    m_waiting = false;
    m_progress->setVisible(false);
    m_run->setEnabled(true);
}
