#include "annotation/scoring_bar.h"

#include "annotation/dataset_scorer.h"
#include "annotation/document.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

ScoringBar::ScoringBar(AnnotationDocument *doc, DatasetScorer *scorer, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_scorer(scorer)
{
    m_button = new QPushButton(tr("Score dataset"));
    m_progress = new QProgressBar;
    m_rate = new QLabel;
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_button);
    layout->addWidget(m_progress, 1);
    layout->addWidget(m_rate);
    connect(m_button, &QPushButton::clicked, this, &ScoringBar::toggle);
    connect(m_doc, &AnnotationDocument::projectChanged, this, &ScoringBar::reset);
    connect(m_scorer, &DatasetScorer::progress, this, [this](size_t done, size_t total, double rate) {
        m_progress->setValue(int(done));
        m_rate->setText(tr("%1 items/s · ETA %2 s").arg(rate, 0, 'f', 1).arg(rate > 0 ? double(total - done) / rate : 0, 0, 'f', 0));
    });
    connect(m_scorer, &DatasetScorer::stopped, this,
            [this](bool finished) { m_button->setText(finished ? tr("Scored") : tr("Resume scoring")); });
}

void ScoringBar::toggle()
{
    if (m_scorer->running()) {
        m_scorer->pause();
        m_button->setText(tr("Resume scoring"));
    } else if (m_doc->isOpen()) {
        m_button->setText(tr("Pause"));
        m_scorer->start();
    }
}

void ScoringBar::reset()
{
    if (!m_doc->isOpen())
        return;
    const size_t scored = m_doc->project()->scoredCount(), n = m_doc->size();
    m_progress->setRange(0, int(n));
    m_progress->setValue(int(scored));
    m_rate->clear();
    m_button->setText(scored == 0 ? tr("Score dataset") : scored < n ? tr("Resume scoring") : tr("Scored"));
}
