#pragma once

#include "scoring/settings.h"

#include <QObject>

#include <chrono>

class AnnotationDocument;
class EngineController;
struct ItemsResult;

// Batch scoring of a dataset, a chunk at a time on the engine thread, each
// chunk saved before the next is asked for: pause stops after the running
// chunk; start again resumes with the items still without fresh rewards.
class DatasetScorer : public QObject
{
    Q_OBJECT

public:
    DatasetScorer(AnnotationDocument *doc, EngineController *engine, QObject *parent = nullptr);
    void setSettings(const polar::ScoringSettings &settings) { m_settings = settings; }
    const polar::ScoringSettings &settings() const { return m_settings; }
    bool running() const { return m_running; }
    void start();
    void pause();
    static constexpr size_t kChunkItems = 32;

Q_SIGNALS:
    void progress(size_t scored, size_t total, double itemsPerSecond);
    void stopped(bool finished, const QString &message);

private:
    void next();
    void onChunk(const ItemsResult &result);

    AnnotationDocument *m_doc;
    EngineController *m_engine;
    polar::ScoringSettings m_settings;
    bool m_running = false;
    quint64 m_chunkProject = 0; // AnnotationDocument::projectGeneration() of the chunk in flight (one at a time)
    size_t m_cursor = 0, m_scored = 0, m_scoredAtStart = 0;
    size_t m_failed = 0;      // items this run could not score (left for the next)
    QString m_firstFailure;
    std::chrono::steady_clock::time_point m_started;
};
