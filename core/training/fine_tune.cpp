#include "training/fine_tune.h"

#include "model/reward_model.h"
#include "preferences/export.h"
#include "preferences/project_scoring.h"
#include "util/counted.h"
#include "util/error.h"

namespace polar {

namespace {

ItemScoreRequest requestFor(const std::vector<AnnotatedItem> &items, const std::vector<size_t> &which, const std::string &datasetPath)
{
    ItemScoreRequest r;
    r.datasetPath = datasetPath;
    for (size_t i : which) {
        r.items.push_back(i);
        r.lines.push_back(items[i].line);
        r.prompts.push_back(items[i].prompt);
        r.references.push_back(items[i].reference);
        r.candidates.push_back(items[i].candidates);
    }
    return r;
}

// The agreement the rankings in `items` have with `rewards` (scored for the
// items they name); items without new rewards count as unscored.
AgreementReport agreementWith(std::vector<AnnotatedItem> items, const std::vector<ItemRewards> &rewards)
{
    for (auto &it : items) {
        it.rewards.clear();
        it.rewardsStale = false;
    }
    for (const auto &r : rewards)
        items.at(r.item).rewards = r.rewards;
    return agreementReport(items);
}

std::vector<ItemRewards> scoreWith(const std::string &modelDir, const TrainOptions &options, const ItemScoreRequest &request,
                                   const ScoringSettings &scoring, const TrainControl &control)
{
    if (request.items.empty())
        return {};
    LoadOptions lo;
    lo.device = options.device;
    lo.dtype = options.dtype;
    lo.cancel = control.cancel;
    const auto model = RewardModel::load(modelDir, lo);
    auto rewards = scoreItems(*model, request, scoring, control.cancel);
    for (const auto &r : rewards)
        if (!r.error.empty())
            throw Error(r.error);
    return rewards;
}

} // namespace

std::vector<PreferencePair> rankingPairs(const std::vector<AnnotatedItem> &items, ExportSummary &summary)
{
    return collectPairs(items, ExportOptions{}, summary);
}

FineTuneResult fineTuneOnAnnotations(const std::string &baseModelDir, const std::vector<AnnotatedItem> &items,
                                     const std::string &datasetPath, const std::string &outputDir,
                                     const TrainOptions &options, const ScoringSettings &scoring,
                                     const TrainControl &control)
{
    FineTuneResult result;
    ExportSummary summary;
    const auto pairs = rankingPairs(items, summary);
    if (pairs.empty())
        throw Error("no ranked item gives a pair to learn from (" + summary.describe() + ")");
    result.pairsDescription = counted(pairs.size(), "pair", "pairs") + " from the rankings (" + summary.describe() + ")";

    std::vector<size_t> ranked, all;
    for (size_t i = 0; i < items.size(); ++i) {
        all.push_back(i);
        if (!items[i].ranks.empty())
            ranked.push_back(i);
    }
    auto say = [&](const std::string &line) {
        if (control.log)
            control.log(line);
    };
    say("scoring the " + counted(ranked.size(), "ranked item", "ranked items") + " with the base model");
    result.before = agreementWith(items, scoreWith(baseModelDir, options, requestFor(items, ranked, datasetPath), scoring, control));

    result.training = trainRewardModel(baseModelDir, pairs, outputDir, options, control);

    say("scoring " + (all.size() == 1 ? std::string("the item") : "all " + counted(all.size(), "item", "items")) + " with the fine-tuned model");
    result.rewards = scoreWith(outputDir, options, requestFor(items, all, datasetPath), scoring, control);
    result.after = agreementWith(items, result.rewards);
    result.fineTunedModel = outputDir;
    return result;
}

} // namespace polar
