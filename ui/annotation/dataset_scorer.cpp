#include "annotation/dataset_scorer.h"

#include "annotation/document.h"
#include "engine/controller.h"
#include "preferences/project_scoring.h"

DatasetScorer::DatasetScorer(AnnotationDocument *doc, EngineController *engine, QObject *parent)
    : QObject(parent), m_doc(doc), m_engine(engine)
{
    connect(m_engine, &EngineController::itemsScored, this, &DatasetScorer::onChunk);
    connect(m_engine, &EngineController::itemsScoreFailed, this, [this](const QString &e) {
        if (!m_running)
            return;
        m_running = false;
        Q_EMIT stopped(false, e);
    });
    connect(m_doc, &AnnotationDocument::projectChanged, this, [this] {
        m_engine->cancelItemScoring();
        m_running = false;
    });
}

void DatasetScorer::start()
{
    if (!m_doc->isOpen() || m_running)
        return;
    if (!m_engine->hasModel()) {
        Q_EMIT stopped(false, tr("Load a model in the main window first."));
        return;
    }
    m_running = true;
    m_started = std::chrono::steady_clock::now();
    m_scored = m_scoredAtStart = m_doc->project()->scoredCount();
    m_cursor = 0;
    m_failed = 0;
    m_firstFailure.clear();
    next();
}

void DatasetScorer::pause()
{
    if (!m_running)
        return;
    m_running = false;
    m_engine->cancelItemScoring(); // a chunk that finishes anyway is still saved
    Q_EMIT stopped(false, tr("Scoring paused; start again to resume."));
}

void DatasetScorer::next()
{
    // Items before the cursor are scored or already sent: no rescans of the whole dataset per chunk.
    auto request = polar::scoringRequest(*m_doc->project(), polar::nextUnscoredChunk(*m_doc->project(), m_cursor, kChunkItems));
    if (request.items.empty()) {
        m_running = false;
        if (m_failed == 0)
            Q_EMIT stopped(true, tr("Every item is scored."));
        else
            Q_EMIT stopped(false, m_failed == 1 ? tr("1 item could not be scored; start again to retry it: %1").arg(m_firstFailure)
                                                : tr("%1 items could not be scored; start again to retry them. First: %2")
                                                      .arg(m_failed)
                                                      .arg(m_firstFailure));
        return;
    }
    m_chunkProject = m_doc->projectGeneration();
    m_engine->scoreItems(std::move(request), m_settings);
}

void DatasetScorer::onChunk(const ItemsResult &result)
{
    if (!m_doc->isOpen() || m_chunkProject != m_doc->projectGeneration())
        return; // asked for by the project open before this one
    if (!m_doc->setRewards(result.items, result.model)) {
        m_running = false;
        Q_EMIT stopped(false, tr("Scoring stopped: the rewards could not be saved."));
        return;
    }
    for (const auto &item : result.items) {
        if (item.error.empty()) {
            ++m_scored;
        } else if (m_failed++ == 0) {
            m_firstFailure = QString::fromStdString(item.error);
        }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
    Q_EMIT progress(m_scored, m_doc->size(), secs > 0 ? double(m_scored - m_scoredAtStart) / secs : 0.0);
    if (m_running)
        next();
}
