#pragma once

#include "preferences/export.h"
#include "preferences/metrics.h"
#include "preferences/project.h"
#include "scoring/settings.h"
#include "training/trainer.h"

#include <string>
#include <vector>

namespace polar {

// Fine-tuning on an annotation project's own rankings, with what it changed:
// the dataset window's Fine-tune… runs this on a snapshot of the project.
struct FineTuneResult
{
    std::string pairsDescription;
    TrainReport training;                 // held-out (by prompt) figures in training.before / after
    AgreementReport before, after;        // every ranked item: the base model, then the fine-tuned one
    std::vector<ItemRewards> rewards;     // every item, under the fine-tuned model (index = item)
    std::string fineTunedModel;           // its name, for the rewards' provenance
};

// The pairs fine-tuning learns from: every pair the rankings give (as `pairs
// --strategy all`), with what was left out and why in `summary`.
std::vector<PreferencePair> rankingPairs(const std::vector<AnnotatedItem> &items, ExportSummary &summary);

// `items` is the project's annotatedItems() (index = item). Pairs are every
// pair its rankings give (as `pairs --strategy all`). The base model scores
// the ranked items first, so "before" and "after" compare the same items with
// the same settings whatever the project held. Cancelling during training
// saves a checkpoint (resume with options.resume) and throws Cancelled.
FineTuneResult fineTuneOnAnnotations(const std::string &baseModelDir, const std::vector<AnnotatedItem> &items,
                                     const std::string &datasetPath, const std::string &outputDir,
                                     const TrainOptions &options, const ScoringSettings &scoring,
                                     const TrainControl &control);

} // namespace polar
