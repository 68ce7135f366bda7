#pragma once

#include "engine/worker.h"

#include <QObject>
#include <QThread>

#include <map>
#include <memory>

// Owns the engine thread and its worker; the GUI talks to this object only.
// Each kind of request has its own cancel flag; a newer load, score or
// attribution supersedes the one before it (only the newest one's outcome is
// passed on), while item-scoring chunks follow one another and each is passed on.
class EngineController : public QObject
{
    Q_OBJECT

public:
    enum class Kind { Load, Score, Attribution, Items, Analysis };

    explicit EngineController(QObject *parent = nullptr);
    ~EngineController() override;

    void loadModel(const QString &dir, polar::Device device, polar::ComputeDType dtype);
    // Rewards from a vLLM / SGLang / LMDeploy server; `dir` gives the tokenizer
    // and config (a load like any other: modelLoaded or modelLoadFailed).
    void connectServer(const QString &dir, polar::ServerSpec spec);
    void score(polar::CandidatesJob job);
    void attribute(polar::AttributionJob job);
    void scoreItems(polar::ItemScoreRequest request, polar::ScoringSettings settings);
    void cancelItemScoring();
    // An analysis over the loaded model (reference sensitivity, numerics
    // check, length bias). Analyses queue, none supersedes another (they come
    // from different views); each result comes back in analysisFinished as
    // whatever QVariant its job returned, for the view that waits for that type.
    void analyze(EngineWorker::ModelJob job);
    // Seeds the loaded model's reward cache: a later score() of these exact
    // encoded texts reuses the rewards instead of running the model.
    void primeCache(std::vector<std::pair<std::string, float>> rewards);
    void cancel();
    bool busy() const { return m_busy; }
    int pending(Kind kind) const;
    bool hasModel() const { return m_hasModel; }
    const polar::ModelInfo &modelInfo() const { return m_info; }

Q_SIGNALS:
    void loadProgress(int done, int total);
    void modelLoaded(const polar::ModelInfo &info);
    void modelLoadFailed(const QString &error);
    void scoreProgress(int done, int total);
    void scoreFinished(const polar::CandidatesResult &result);
    void scoreFailed(const QString &error);
    void attributionProgress(int done, int total);
    void attributionFinished(const polar::AttributionJobResult &result);
    void attributionFailed(const QString &error);
    void itemsScored(const ItemsResult &result);
    void itemsScoreFailed(const QString &error);
    void analysisProgress(int done, int total);
    void analysisFinished(const QVariant &result);
    void analysisFailed(const QString &error);
    void busyChanged(bool busy);

private:
    struct Lane
    {
        EngineWorker::Cancel cancel;
        EngineTicket newest = 0;
        int pending = 0;
    };
    // A new ticket of `kind`, its cancel flag (fresh, or the running one's when it continues).
    EngineTicket open(Kind kind, bool supersede, EngineWorker::Cancel &flag);
    void onProgress(EngineTicket ticket, int done, int total);
    void onFinished(EngineTicket ticket, const QVariant &result);
    void onFailed(EngineTicket ticket, const QString &error, bool cancelled);
    bool close(EngineTicket ticket, Kind &kind); // false when a newer ticket of its kind is pending
    void setBusy(bool busy);

    struct ThreadStopper
    {
        void operator()(QThread *t) const
        {
            t->quit();
            t->wait();
            delete t;
        }
    };
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    EngineWorker *m_worker = nullptr; // deleted on the thread's finished()
    std::map<Kind, Lane> m_lanes;
    std::map<EngineTicket, Kind> m_open;
    EngineTicket m_nextTicket = 1;
    bool m_busy = false;
    bool m_hasModel = false;
    polar::ModelInfo m_info;
};
