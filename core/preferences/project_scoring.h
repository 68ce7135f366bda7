#pragma once

#include "preferences/project.h"
#include "scoring/settings.h"
#include "scoring/text_field.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace polar {

class PreferenceProject;
class RewardModel;

// What scoring some items of a project needs, copied out of the project so a
// worker thread can score while the GUI keeps the project.
struct ItemScoreRequest
{
    std::string datasetPath;
    std::vector<size_t> items, lines;
    std::vector<TextField> prompts, references;
    std::vector<std::vector<TextField>> candidates;
};

// The next (at most `max`) items without fresh rewards at or after `cursor`,
// which is advanced past them: the one definition of "what to score next".
std::vector<size_t> nextUnscoredChunk(const PreferenceProject &project, size_t &cursor, size_t max);
ItemScoreRequest scoringRequest(const PreferenceProject &project, const std::vector<size_t> &items);

// Rewards per requested item, every prompt's candidates sharing their prefix.
// An item that cannot be scored (a candidate the model or the server failed)
// comes back with `error` naming its line and no rewards.
std::vector<ItemRewards> scoreItems(const RewardModel &model, const ItemScoreRequest &request, const ScoringSettings &settings,
                                    const std::atomic_bool *cancel = nullptr);

struct ProjectScoringOptions
{
    ScoringSettings settings;
    size_t chunkItems = 32; // items scored, then saved, at a time
    const std::atomic_bool *cancel = nullptr;
    std::function<void(size_t done, size_t total)> progress; // items with rewards, of all
    std::function<void(const std::string &error)> failed;   // an item left unscored, and why (the next run tries it again)
};

// Scores every item whose rewards are missing or stale, saving each chunk to
// the project before the next starts, so an interrupted run resumes where it
// stopped. Items that fail are reported and left unscored. Returns how many
// items it scored; throws polar::Cancelled after
// saving what was done.
size_t scoreProject(const RewardModel &model, PreferenceProject &project, const ProjectScoringOptions &options);

} // namespace polar
