#include "training/training_data.h"

#include "preferences/annotated_jsonl.h"
#include "preferences/export.h"
#include "util/counted.h"
#include "util/error.h"
#include "util/files.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <random>

namespace polar {

namespace {

// Whether the file's first non-blank line is a pair (chosen and rejected).
bool looksLikePairsFile(const std::string &path)
{
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        Json j;
        std::string why;
        return tryParseJson(line, j, why) && j.is_object() && j.contains("chosen") && j.contains("rejected");
    }
    return false;
}

} // namespace

std::vector<PreferencePair> readPolarPairs(const std::string &path, const std::string &groupField,
                                           std::vector<std::string> *groups)
{
    return readPolarPairs(readJsonl(path), path, groupField, groups);
}

std::vector<PreferencePair> readPolarPairs(const std::vector<JsonlLine> &lines, const std::string &name,
                                           const std::string &groupField, std::vector<std::string> *groups)
{
    std::vector<PreferencePair> pairs;
    for (const JsonlLine &line : lines) {
        const std::string where = name + ":" + std::to_string(line.number);
        if (!line.ok())
            throw Error(where + ": not JSON (" + line.error + ")");
        const Json &j = line.value;
        if (!j.is_object())
            throw Error(where + ": a pair must be a JSON object");
        PreferencePair p;
        for (auto [field, into] : {std::pair{"prompt", &p.prompt}, std::pair{"reference", &p.reference},
                                   std::pair{"chosen", &p.chosen}, std::pair{"rejected", &p.rejected}}) {
            if (!j.contains(field)) {
                // TRL's reward files carry no reference; a POLAR model cannot be scored without one.
                const bool trl = std::string(field) == "reference" && j.contains("chosen") && j.contains("rejected");
                throw Error(where + ": missing field '" + field + "'"
                            + (trl ? " (a TRL-format pair has none, and POLAR scores against a reference: export the "
                                     "POLAR format, polar-cli pairs --format polar)"
                                   : ""));
            }
            *into = textFieldFromJson(j[field], where + ": field '" + field + "'");
        }
        if (p.chosen.flattened() == p.rejected.flattened())
            throw Error(where + ": chosen and rejected are the same text; the pair teaches nothing");
        pairs.push_back(std::move(p));
        if (groups)
            groups->push_back(!groupField.empty() && j.contains(groupField) && j[groupField].is_string()
                                  ? j[groupField].get<std::string>() : std::string());
    }
    if (pairs.empty())
        throw Error(name + ": holds no pairs");
    return pairs;
}

std::vector<PreferencePair> loadTrainingPairs(const std::string &path, std::string *description)
{
    if (directoryExists(path))
        throw Error(path + ": is a folder; expected a train.jsonl, a project or an annotated JSONL");
    if (looksLikePairsFile(path)) {
        auto pairs = readPolarPairs(path);
        if (description)
            *description = counted(pairs.size(), "pair", "pairs") + " from " + path;
        return pairs;
    }
    const auto items = loadAnnotatedItems(path);
    ExportSummary summary;
    auto pairs = collectPairs(items, ExportOptions{}, summary);
    if (pairs.empty())
        throw Error(path + ": no ranked item gives a pair (" + summary.describe() + ")");
    if (description)
        *description = counted(pairs.size(), "pair", "pairs") + " from the rankings in " + path + " (" + summary.describe() + ")";
    return pairs;
}

PairSplit splitByPrompt(const std::vector<PreferencePair> &pairs, double fraction, uint64_t seed)
{
    if (!(fraction >= 0 && fraction < 1))
        throw Error("the validation fraction must be in [0, 1), got " + std::to_string(fraction));
    // Prompts in first-seen order, then a seeded shuffle picks the held-out ones.
    std::map<std::string, size_t> promptIndex;
    std::vector<size_t> promptOf(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
        const std::string key = normalizedText(pairs[i].prompt);
        promptOf[i] = promptIndex.emplace(key, promptIndex.size()).first->second;
    }
    const size_t prompts = promptIndex.size();
    std::vector<size_t> order(prompts);
    for (size_t i = 0; i < prompts; ++i)
        order[i] = i;
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    size_t held = size_t(double(prompts) * fraction + 0.5);
    if (fraction > 0 && prompts >= 2)
        held = std::clamp<size_t>(held, 1, prompts - 1);
    std::vector<bool> isHeld(prompts, false);
    for (size_t i = 0; i < held; ++i)
        isHeld[order[i]] = true;
    PairSplit split;
    for (size_t i = 0; i < pairs.size(); ++i)
        (isHeld[promptOf[i]] ? split.validation : split.train).push_back(i);
    split.validationPrompts = held;
    split.trainPrompts = prompts - held;
    return split;
}

} // namespace polar
