#pragma once

#include "attribution/job.h"
#include "model/reward_model.h"
#include "preferences/project_scoring.h"
#include "remote/server_spec.h"
#include "scoring/candidate_job.h"

#include <QObject>
#include <QString>
#include <QVariant>

#include <atomic>
#include <functional>
#include <memory>

// One request to the engine; the controller knows what kind each one is.
using EngineTicket = quint64;

// The results that travel back from the engine thread, by value.
struct ItemsResult
{
    std::vector<polar::ItemRewards> items;
    std::string model;
    double seconds = 0;
};

Q_DECLARE_METATYPE(polar::ModelInfo)
Q_DECLARE_METATYPE(polar::CandidatesResult)
Q_DECLARE_METATYPE(polar::AttributionJobResult)
Q_DECLARE_METATYPE(ItemsResult)

// Lives on the engine thread: loads the model and runs core's jobs, one at a
// time. Jobs come in by value; every outcome goes out through the same three
// signals, tagged with its ticket (Qt's mandelbrot idiom, with one error boundary).
class EngineWorker : public QObject
{
    Q_OBJECT

public:
    using Cancel = std::shared_ptr<std::atomic_bool>;
    EngineWorker();
    ~EngineWorker() override;

    void loadModel(EngineTicket ticket, const QString &dir, polar::Device device, polar::ComputeDType dtype, const Cancel &cancel);
    // A model served by `spec`'s server, encoding with the tokenizer in `dir`.
    void connectServer(EngineTicket ticket, const QString &dir, const polar::ServerSpec &spec);
    void scoreCandidates(EngineTicket ticket, const polar::CandidatesJob &job, const Cancel &cancel);
    void attribute(EngineTicket ticket, const polar::AttributionJob &job, const Cancel &cancel);
    void scoreItems(EngineTicket ticket, const polar::ItemScoreRequest &request, const polar::ScoringSettings &settings,
                    const Cancel &cancel);
    // Any job over the loaded model that packs its own result (the analyses).
    using ModelJob = std::function<QVariant(const polar::RewardModel &model, const polar::ScoreControl &control)>;
    void runModelJob(EngineTicket ticket, const ModelJob &job, const Cancel &cancel);
    // Rewards this model gave before (a saved session's), by encoded text.
    void primeCache(const std::vector<std::pair<std::string, float>> &rewards);

Q_SIGNALS:
    void progress(EngineTicket ticket, int done, int total);
    void finished(EngineTicket ticket, const QVariant &result);
    void failed(EngineTicket ticket, const QString &error, bool cancelled);

private:
    // The one place where an exception from core (or torch) becomes a signal:
    // nothing may leave a slot.
    template <typename Fn>
    void run(EngineTicket ticket, Fn &&fn);
    std::function<void(size_t, size_t)> progressFor(EngineTicket ticket);

    std::shared_ptr<polar::RewardModel> m_model;
    polar::RewardCache m_cache;
};
