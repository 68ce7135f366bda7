#pragma once

#include "preferences/dataset.h"
#include "util/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <map>
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
    std::vector<size_t> shownOrder;       // the order the candidates were shown in (empty: index order)

    bool operator==(const Annotation &o) const;
};

// Whether a record's own chosen-over-rejected label is its item's ranking: it
// is until an annotator decides the item, and only while the record's two
// answers are all it has (an answer written makes the label an incomplete
// ranking). The project, the annotated JSONL reader and the annotation view
// decide it here alike.
bool datasetLabelRanks(DatasetRecord::Kind kind, bool decided, bool answersWritten);

struct ItemState
{
    std::vector<float> rewards;   // model rewards per candidate as scored; see PreferenceProject::rewards()
    std::string rewardModel;
    std::string rewardsFor;       // fingerprint of the candidates the rewards were computed for
    Annotation annotation;
    std::map<std::string, double> seconds; // time spent on the item, per annotator ("" when unnamed)
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
    std::vector<float> rewards;   // empty when not scored, or scored before the candidates changed
    bool rewardsStale = false;    // there were rewards, but for candidates since edited or added, or by another model than the scoring one
    std::vector<int> ranks;       // empty when not ranked
    // The ranks are the dataset's own chosen-over-rejected label, which stands
    // until someone ranks the item: no annotator's judgement, so neither
    // compared between annotators nor merged as one.
    bool ranksFromDataset = false;
    bool noneAcceptable = false, flagged = false, skipped = false;
    std::string note, annotator, extraFields;
    std::string contentHash;      // the dataset record's, for matching items across projects
    std::map<std::string, double> seconds; // time spent on it, per annotator
    std::vector<size_t> shownOrder;        // the order the annotator saw the candidates in, when recorded
};

// Rewards of one item's candidates as they were when scored: `candidatesHash`
// is candidatesHash() of those candidates, so rewards for candidates edited
// meanwhile are stored as stale rather than shown against the new text.
struct ItemRewards
{
    size_t item = 0;
    std::vector<float> rewards;
    std::string candidatesHash;
    std::string error; // "DATASET:LINE: why" when the item could not be scored (no rewards then)
};

// A line of a project file that could not be applied, found when opening it.
struct JournalDamage
{
    size_t line = 0;
    std::string reason;
};

// The journal could not be used as it is: a damaged line in the middle, or a
// dataset that changed since the project was made. Nothing was written.
class ProjectDamaged : public Error
{
public:
    ProjectDamaged(const std::string &msg, std::vector<JournalDamage> damage) : Error(msg), m_damage(std::move(damage)) {}
    const std::vector<JournalDamage> &damage() const { return m_damage; }

private:
    std::vector<JournalDamage> m_damage;
};
class DatasetChanged : public Error
{
public:
    DatasetChanged(const std::string &msg, std::string datasetPath) : Error(msg), m_datasetPath(std::move(datasetPath)) {}
    // The dataset the project's header names: what a reattach reads.
    const std::string &datasetPath() const { return m_datasetPath; }

private:
    std::string m_datasetPath;
};

// A dataset and its annotations. The annotations live in an append-only
// journal beside the dataset (DATASET.polar-project.jsonl, docs/dataset-formats.md):
// a header that fingerprints the dataset (its size, a hash of its bytes, and
// each record's line and content hash), then one JSON event per change, keyed
// by the record's line number, written and fsync'ed before the call returns.
// Opening refuses a dataset that no longer matches its fingerprint, so a
// decision can never land on another record; reattach() carries a project over
// to an edited dataset by matching records by content. A torn last line (a
// write that never finished, so was never acknowledged) is cut off.
class PreferenceProject
{
public:
    // ReadWrite holds an exclusive lock on the journal: a second writer (another
    // window, another process) is refused rather than left to lose writes.
    // Salvage opens read-only, applying every event that can be applied and
    // listing the damaged ones in damage() instead of refusing.
    enum class Mode { ReadWrite, ReadOnly, Salvage };
    static std::string defaultProjectPath(const std::string &datasetPath);
    static bool isProjectPath(const std::string &path);
    // Opens the project beside `datasetPath`, creating it when absent (two
    // processes doing so at once: one creates, the other is refused). A project
    // file given as the dataset is refused: its project would be a journal of
    // journal lines.
    static std::unique_ptr<PreferenceProject> openForDataset(const std::string &datasetPath);
    // Opens an existing project file; its header names the dataset.
    static std::unique_ptr<PreferenceProject> open(const std::string &projectPath, Mode mode = Mode::ReadWrite);
    // What a user may hand over for "open this dataset": a project file (any
    // name ending .polar-project.jsonl) opens as itself, anything else as a
    // dataset with its project beside it. projectPathFor is the file either opens.
    static std::string projectPathFor(const std::string &datasetOrProject);
    static std::unique_ptr<PreferenceProject> openDatasetOrProject(const std::string &datasetOrProject);
    // Rewrites the journal as one event per item (temp file + rename, the lock
    // taken on the new file before it replaces the old one).
    void compact();
    ~PreferenceProject();

    const std::string &path() const { return m_path; }
    const DatasetImport &dataset() const { return m_dataset; }
    size_t size() const { return m_dataset.records.size(); }
    const DatasetRecord &record(size_t i) const { return m_dataset.records[i]; }
    const ItemState &item(size_t i) const { return m_items[i]; }
    bool writable() const { return m_fd >= 0; }
    const std::vector<JournalDamage> &damage() const { return m_damage; }
    ItemStatus status(size_t i) const;
    std::vector<TextField> candidates(size_t i) const;
    // The rewards of the current candidates: empty when unscored or stale.
    std::vector<float> rewards(size_t i) const;
    // Rewards exist but were computed before a candidate was edited or added,
    // or by another model than the scoring model.
    bool rewardsStale(size_t i) const;
    // The ranking that counts: the annotator's, else a chosen/rejected record's own.
    std::vector<int> effectiveRanks(size_t i) const;
    AnnotatedItem annotatedItem(size_t i) const;
    std::vector<AnnotatedItem> annotatedItems() const;
    // Whether item i has fresh rewards for each of its candidates: computed
    // for them as they are, by the scoring model when one is set.
    bool hasRewards(size_t i) const;
    // The model now scoring this project (ModelInfo::rewardsName, as setRewards
    // records it); "" accepts rewards from any model. Rewards another model
    // (or this one at another precision) gave count as stale: never shown as
    // this model's, scored again.
    void setScoringModel(const std::string &model) { m_scoringModel = model; }
    const std::string &scoringModel() const { return m_scoringModel; }
    // Item i has rewards, but another model than the scoring model gave them.
    bool rewardsFromOtherModel(size_t i) const
    {
        return !m_items[i].rewards.empty() && !m_scoringModel.empty() && m_items[i].rewardModel != m_scoringModel;
    }
    size_t scoredCount() const;
    // First item without fresh rewards, for resuming batch scoring.
    size_t firstUnscored() const;

    // Both validate first (counts, ranges, finite numbers) and throw
    // polar::Error without writing anything when the change is invalid.
    void setRewards(const std::vector<ItemRewards> &batch, const std::string &model);
    // Rewards for item i's candidates as they are now.
    ItemRewards rewardsForCurrent(size_t i, std::vector<float> rewards) const;
    void setAnnotation(size_t i, const Annotation &a);
    // Time an annotator spent on item i (an effort log: not undone with the
    // annotation; finite and positive, at most an hour per entry).
    void addTime(size_t i, const std::string &annotator, double seconds);

private:
    PreferenceProject() = default;
    static std::unique_ptr<PreferenceProject> openWith(const std::string &projectPath, Mode mode, int lockedFd);
    void append(const std::vector<Json> &events);
    void apply(const Json &event, const std::string &where);
    void validateAnnotation(size_t i, const Annotation &a, const std::string &where) const;
    void replaceAnnotation(size_t i, Annotation a);
    const std::string &currentHash(size_t i);
    size_t candidateCount(size_t i) const;
    Json headerJson() const;

    std::string m_path;
    DatasetImport m_dataset;
    std::vector<ItemState> m_items;
    // candidatesHash(candidates(i)), kept for every item that has rewards
    // (hashed when they arrive, again when an annotation changes the
    // candidates; empty for the others, so opening an unscored dataset costs
    // nothing): status, hasRewards and the item list's sort and filters ask
    // per item and per paint, and hashing every candidate's text each time
    // made a filter over 100,000 items take seconds.
    std::vector<std::string> m_currentHash;
    std::string m_scoringModel;
    std::vector<JournalDamage> m_damage;
    int m_fd = -1;
    uint64_t m_committed = 0; // bytes of the journal known to be whole on disk
    bool m_broken = false;    // a failed save could not be rolled back
    int m_version = 2;
};

// Carries the annotations and rewards of `projectPath` over to `datasetPath`
// (the dataset edited, re-ordered or re-generated), matching records by their
// "id" and content: a record whose content changed is not matched. Writes a
// new project at `outputPath` (refused if it exists, or is an input) and
// returns what was carried and what was not.
struct ReattachReport
{
    size_t matched = 0;              // old items found in the new dataset
    size_t carriedEvents = 0;
    std::vector<size_t> lostLines;   // old lines with decisions or rewards that found no record
    size_t newRecords = 0;           // records of the new dataset that had no old counterpart
    std::string describe() const;
};
ReattachReport reattachProject(const std::string &projectPath, const std::string &datasetPath, const std::string &outputPath);

// Writes the events that can be applied from a damaged project to a new
// project at `outputPath` (never over the damaged one); returns the damage.
std::vector<JournalDamage> repairProject(const std::string &projectPath, const std::string &outputPath);

// An annotator's answer joins the candidates at the top of the ranking.
Annotation withWrittenAnswer(Annotation a, TextField answer);
// Candidate `c` (an output, or one of the written answers after the
// `outputs` dataset outputs) replaced by `text`.
Annotation withEditedCandidate(Annotation a, size_t outputs, size_t c, TextField text);

Json annotationToJson(const Annotation &a);
// Types only (ranges need the item: the project checks them).
Annotation annotationFromJson(const Json &j, const std::string &where);
// Fingerprint of a candidate list, for telling fresh rewards from stale ones.
std::string candidatesHash(const std::vector<TextField> &candidates);

} // namespace polar
