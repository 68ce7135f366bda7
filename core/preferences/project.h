#pragma once

#include "preferences/dataset.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polar {

enum class ItemStatus { New, Scored, Annotated, Flagged, Skipped };
const char *itemStatusName(ItemStatus s);

// One human decision on one item. Candidates are the record's outputs
// (with any edits) followed by the answers the annotator wrote.
struct Annotation
{
    bool decided = false;                 // submitted (Enter)
    std::vector<int> ranks;               // per candidate: 1 = best, equal numbers tie, 0 = unranked
    std::vector<TextField> humanOutputs;  // written by the annotator
    std::vector<std::pair<size_t, TextField>> edits; // (candidate index, edited text)
    bool noneAcceptable = false;
    bool flagged = false;
    bool skipped = false;
    std::string note;
    std::string annotator;
    int64_t time = 0;                     // seconds since the epoch

    bool operator==(const Annotation &o) const;
};

struct ItemState
{
    std::vector<float> rewards; // model rewards per candidate; empty until scored
    std::string rewardModel;
    Annotation annotation;
};

// The common shape of an annotated item, whether it comes from a project or
// from an annotated JSONL: what export and metrics read.
struct AnnotatedItem
{
    size_t line = 0;
    DatasetRecord::Kind kind = DatasetRecord::Kind::Outputs;
    TextField prompt, reference;
    std::vector<TextField> candidates;
    std::vector<bool> humanWritten;
    std::vector<float> rewards;   // empty when not scored
    std::vector<int> ranks;       // empty when not ranked
    bool noneAcceptable = false, flagged = false, skipped = false;
    std::string note, annotator, extraFields;
};

// A dataset and its annotations. The annotations live in an append-only
// journal beside the dataset (DATASET.polar-project.jsonl): every change is one
// JSON line, written and fsync'ed before the call returns, so a decision shown
// as saved survives a kill at any moment. Opening replays the journal; a torn
// last line (a write that never finished, so never acknowledged) is cut off.
class PreferenceProject
{
public:
    // ReadWrite holds an exclusive lock on the journal: a second writer (another
    // window, another process) is refused rather than left to lose writes.
    enum class Mode { ReadWrite, ReadOnly };
    static std::string defaultProjectPath(const std::string &datasetPath);
    // Opens the project beside `datasetPath`, creating it when absent.
    static std::unique_ptr<PreferenceProject> openForDataset(const std::string &datasetPath);
    // Opens an existing project file; its header names the dataset.
    static std::unique_ptr<PreferenceProject> open(const std::string &projectPath, Mode mode = Mode::ReadWrite);
    // Rewrites the journal as one event per item (temp file + rename).
    void compact();
    ~PreferenceProject();

    const std::string &path() const { return m_path; }
    const DatasetImport &dataset() const { return m_dataset; }
    size_t size() const { return m_dataset.records.size(); }
    const DatasetRecord &record(size_t i) const { return m_dataset.records[i]; }
    const ItemState &item(size_t i) const { return m_items[i]; }
    ItemStatus status(size_t i) const;
    std::vector<TextField> candidates(size_t i) const;
    // The ranking that counts: the annotator's, else a chosen/rejected record's own.
    std::vector<int> effectiveRanks(size_t i) const;
    AnnotatedItem annotatedItem(size_t i) const;
    std::vector<AnnotatedItem> annotatedItems() const;
    // Whether item i has a reward for each of its candidates (a written
    // answer added after scoring needs scoring again).
    bool hasRewards(size_t i) const;
    size_t scoredCount() const;
    // First item without rewards, for resuming batch scoring.
    size_t firstUnscored() const;

    void setRewards(const std::vector<std::pair<size_t, std::vector<float>>> &batch, const std::string &model);
    void setAnnotation(size_t i, const Annotation &a);

private:
    PreferenceProject() = default;
    void append(const std::vector<Json> &events);
    void apply(const Json &event, const std::string &where);

    std::string m_path;
    DatasetImport m_dataset;
    std::vector<ItemState> m_items;
    int m_fd = -1;
};

Json annotationToJson(const Annotation &a);
Annotation annotationFromJson(const Json &j, const std::string &where);

// Annotated JSONL: per record the original fields, "outputs", the model's
// "rewards", "human_rank" (equal numbers tie), "human_written", "flags",
// "note", "annotator" (docs/annotated-jsonl.md).
Json annotatedItemToJson(const AnnotatedItem &item);
std::vector<AnnotatedItem> readAnnotatedJsonl(const std::string &path);
void writeAnnotatedJsonl(const std::string &path, const std::vector<AnnotatedItem> &items);

} // namespace polar
