#pragma once

#include "attribution/attribution.h"
#include "scoring/encoding.h"
#include "scoring/settings.h"
#include "model/reward_model.h"
#include "preferences/project_scoring.h"
#include "workbench/workspace.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>
#include <unordered_map>

// What to score: the workspace's inputs, copied in (the worker never reads
// the document).
struct ScoreJob
{
    polar::TextField prompt, reference;
    std::vector<std::pair<int64_t, polar::TextField>> candidates;
    polar::EncodeOptions encode;
    int64_t batchTokens = polar::ScoringSettings::kDefaultBatchTokens;
    std::shared_ptr<std::atomic_bool> cancel;
};

struct ScoredItem
{
    int64_t id = 0;
    bool ok = false;
    std::string error;
    polar::CandidateScore score;
    polar::PolarInput input;
    std::vector<std::string> pieces; // each token's sentencepiece piece, for display
};

struct ScoreOutcome
{
    std::vector<ScoredItem> candidates;
    std::optional<ScoredItem> reference;
    int fromCache = 0;
    int computed = 0;
    double seconds = 0;
};

// Token-level contributions for one candidate, or two to compare.
struct AttributionJob
{
    polar::TextField prompt, reference;
    int64_t id = 0;
    polar::TextField output;
    int64_t compareId = 0; // 0: no comparison
    polar::TextField compareOutput;
    polar::AttributionOptions options; // cancel and progress are set by the worker
    std::shared_ptr<std::atomic_bool> cancel;
};

struct AttributedCandidate
{
    int64_t id = 0;
    polar::PolarInput input;
    polar::AttributionResult result;
};

struct AttributionOutcome
{
    polar::AttributionOptions options;
    AttributedCandidate main;
    std::optional<AttributedCandidate> compare;
};

// Rewards for dataset items, a chunk at a time (the GUI saves each chunk).
struct ItemScoreJob
{
    polar::ItemScoreRequest request;
    polar::ScoringSettings settings;
    std::shared_ptr<std::atomic_bool> cancel;
};

struct ItemScoreOutcome
{
    std::vector<polar::ItemRewards> rewards;
    std::string model;
    double seconds = 0;
};

Q_DECLARE_METATYPE(ScoreJob)
Q_DECLARE_METATYPE(ItemScoreOutcome)
Q_DECLARE_METATYPE(AttributionOutcome)
Q_DECLARE_METATYPE(ScoreOutcome)
Q_DECLARE_METATYPE(polar::ModelInfo)

// Lives on the engine thread: loads the model and scores, one job at a time.
// Inputs come in by value, results go out by value (Qt's mandelbrot idiom).
class EngineWorker : public QObject
{
    Q_OBJECT

public:
    EngineWorker();
    ~EngineWorker() override;

    // For the attribution views (issue 4): the model, or null.
    std::shared_ptr<const polar::RewardModel> model() const { return m_model; }

public Q_SLOTS:
    void loadModel(const QString &dir, int device, int dtype, std::shared_ptr<std::atomic_bool> cancel);
    void score(const ScoreJob &job);
    void attribute(const AttributionJob &job);
    void scoreItems(const ItemScoreJob &job);

Q_SIGNALS:
    void loadProgress(int done, int total);
    void modelLoaded(const polar::ModelInfo &info);
    void modelLoadFailed(const QString &error);
    void scoreProgress(int done, int total);
    void scoreFinished(const ScoreOutcome &outcome);
    void scoreFailed(const QString &error);
    void attributionProgress(int done, int total);
    void attributionFinished(const AttributionOutcome &outcome);
    void attributionFailed(const QString &error);
    void itemsScored(const ItemScoreOutcome &outcome);
    void itemsScoreFailed(const QString &error);

private:
    std::shared_ptr<polar::RewardModel> m_model;
    // Rewards by the exact encoded text: an edit re-scores only what changed.
    std::unordered_map<std::string, float> m_cache;
};
