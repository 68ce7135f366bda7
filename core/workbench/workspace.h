#pragma once

#include "scoring/candidate_score.h"
#include "scoring/encoding.h"
#include "scoring/settings.h"
#include "util/json.h"
#include "scoring/text_field.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace polar {

// The id of the reference's row wherever candidates and the reference are
// listed together (the reference is scored as one more candidate, the anchor).
constexpr int64_t kReferenceRowId = -1;

struct Candidate
{
    enum class Mark { None, Chosen, Rejected };
    int64_t id = 0; // stable across reorder, undo and save
    TextField text;
    Mark mark = Mark::None;
    std::optional<CandidateScore> score;
};

struct WorkspaceSettings : ScoringSettings
{
    std::string device = "auto";
    std::string dtype = "auto";
};

// Everything a Polar Studio session holds; saved as a documented JSON file
// (docs/session-format.md).
struct Workspace
{
    std::string modelPath;
    // The model directory and compute precision ("fp32", "bf16", "fp16") the
    // saved scores came from ("" when none): scores are shown only beside the
    // model that gave them, at the precision that gave them.
    std::string scoredBy;
    std::string scoredDtype;
    TextField prompt, reference;
    std::vector<Candidate> candidates;
    std::optional<CandidateScore> referenceScore; // the reference scored as a candidate
    WorkspaceSettings settings;
    int64_t nextId = 1;

    Candidate &addCandidate(TextField text);
    // Whether the saved scores are that model's at that precision. A session
    // written before the precision was saved matches any precision.
    bool scoredWith(const std::string &directory, const std::string &dtype) const;
    Candidate *find(int64_t id);
    const Candidate *find(int64_t id) const;
    int indexOf(int64_t id) const;
};

Json workspaceToJson(const Workspace &ws);
// Throws polar::Error naming `file` and the field that is wrong.
Workspace workspaceFromJson(const Json &j, const std::string &file);
void saveWorkspace(const std::string &path, const Workspace &ws); // atomic
Workspace loadWorkspace(const std::string &path);

} // namespace polar
