#pragma once

#include "scoring/encoding.h"

#include <atomic>
#include <cstdint>
#include <functional>

namespace polar {

class PreferenceProject;
class RewardModel;

struct ProjectScoringOptions
{
    EncodeOptions encode;
    int64_t batchTokens = 16384;
    size_t chunkItems = 64; // items scored, then saved, at a time
    const std::atomic_bool *cancel = nullptr;
    std::function<void(size_t done, size_t total)> progress; // items with rewards, of all
};

// Scores every item whose rewards are missing, saving each chunk to the
// project before the next starts, so an interrupted run resumes where it
// stopped. Returns how many items it scored; throws polar::Cancelled after
// saving what was done. An item that cannot be scored throws polar::Error
// naming its line.
size_t scoreProject(const RewardModel &model, PreferenceProject &project, const ProjectScoringOptions &options);

} // namespace polar
