#include "widgets/score_status.h"

#include "engine/controller.h"

#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>

ScoreStatus::ScoreStatus(EngineController *engine, QWidget *parent) : QWidget(parent)
{
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(200);
    m_cancel = new QPushButton(tr("Cancel"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    setVisible(false);
    connect(m_cancel, &QPushButton::clicked, engine, &EngineController::cancel);
    connect(engine, &EngineController::scoreProgress, this, [this](int done, int total) {
        m_progress->setRange(0, std::max(total, 1));
        m_progress->setValue(done);
    });
    connect(engine, &EngineController::scoreFinished, this, [this] { setVisible(false); });
    connect(engine, &EngineController::scoreFailed, this, [this] { setVisible(false); });
}

void ScoreStatus::started()
{
    m_progress->setRange(0, 0);
    setVisible(true);
}
