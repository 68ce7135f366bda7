#include "workbench/workspace.h"

#include "util/error.h"
#include "util/files.h"

#include <cfloat>
#include <cmath>

namespace polar {

namespace {

constexpr const char *kFormat = "polar-studio-session";
constexpr int kVersion = 1;

const char *markName(Candidate::Mark m)
{
    switch (m) {
    case Candidate::Mark::Chosen: return "chosen";
    case Candidate::Mark::Rejected: return "rejected";
    default: return "none";
    }
}

Json scoreToJson(const CandidateScore &s)
{
    return {{"reward", s.reward}, {"tokens", s.tokens}, {"truncation", s.truncation}, {"encoded_text", s.encodedText}};
}

CandidateScore scoreFromJson(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": expected an object");
    CandidateScore s;
    const double reward = optionalNumber(j, "reward", where, 0.0);
    if (std::fabs(reward) > double(FLT_MAX))
        throw Error(where + ": field 'reward' is out of range");
    s.reward = float(reward);
    const int64_t tokens = optionalInteger(j, "tokens", where, 0);
    if (tokens < 0 || tokens > INT32_MAX)
        throw Error(where + ": field 'tokens' is out of range");
    s.tokens = int(tokens);
    s.truncation = optionalString(j, "truncation", where);
    s.encodedText = optionalString(j, "encoded_text", where);
    return s;
}

} // namespace

Candidate &Workspace::addCandidate(TextField text)
{
    Candidate c;
    c.id = nextId++;
    c.text = std::move(text);
    candidates.push_back(std::move(c));
    return candidates.back();
}

bool Workspace::scoredWith(const std::string &directory, const std::string &dtype) const
{
    return !scoredBy.empty() && scoredBy == directory && (scoredDtype.empty() || scoredDtype == dtype);
}

int Workspace::indexOf(int64_t id) const
{
    for (size_t i = 0; i < candidates.size(); ++i)
        if (candidates[i].id == id)
            return int(i);
    return -1;
}

Candidate *Workspace::find(int64_t id)
{
    const int i = indexOf(id);
    return i < 0 ? nullptr : &candidates[size_t(i)];
}

const Candidate *Workspace::find(int64_t id) const
{
    const int i = indexOf(id);
    return i < 0 ? nullptr : &candidates[size_t(i)];
}

Json workspaceToJson(const Workspace &ws)
{
    Json cands = Json::array();
    for (const auto &c : ws.candidates) {
        Json jc = {{"id", c.id}, {"text", textFieldToJson(c.text)}, {"mark", markName(c.mark)}};
        if (c.score)
            jc["score"] = scoreToJson(*c.score);
        cands.push_back(jc);
    }
    Json j = {
        {"format", kFormat},
        {"version", kVersion},
        {"model", ws.modelPath},
        {"prompt", textFieldToJson(ws.prompt)},
        {"reference", textFieldToJson(ws.reference)},
        {"candidates", cands},
    };
    Json settings = scoringSettingsToJson(ws.settings);
    settings["device"] = ws.settings.device;
    settings["dtype"] = ws.settings.dtype;
    j["settings"] = std::move(settings);
    if (ws.referenceScore)
        j["reference_score"] = scoreToJson(*ws.referenceScore);
    if (!ws.scoredBy.empty()) {
        j["scored_by"] = ws.scoredBy;
        j["scored_dtype"] = ws.scoredDtype;
    }
    return j;
}

Workspace workspaceFromJson(const Json &j, const std::string &file)
{
    if (!j.is_object())
        throw Error(file + ": expected a JSON object");
    if (optionalString(j, "format", file) != kFormat)
        throw Error(file + ": field 'format' is not \"" + std::string(kFormat) + "\"; not a Polar Studio session");
    const int64_t version = optionalInteger(j, "version", file, 0);
    if (version < 1 || version > kVersion)
        throw Error(file + ": session version " + std::to_string(version) + " is not supported (this build reads 1.."
                    + std::to_string(kVersion) + ")");
    Workspace ws;
    ws.modelPath = optionalString(j, "model", file);
    ws.scoredBy = optionalString(j, "scored_by", file);
    ws.scoredDtype = optionalString(j, "scored_dtype", file);
    if (j.contains("prompt"))
        ws.prompt = textFieldFromJson(j["prompt"], file + ": field 'prompt'");
    if (j.contains("reference"))
        ws.reference = textFieldFromJson(j["reference"], file + ": field 'reference'");
    if (j.contains("candidates")) {
        const Json &arr = j["candidates"];
        if (!arr.is_array())
            throw Error(file + ": field 'candidates' must be a list");
        for (size_t i = 0; i < arr.size(); ++i) {
            const std::string where = file + ": candidates[" + std::to_string(i) + "]";
            const Json &jc = arr[i];
            if (!jc.is_object() || !jc.contains("text"))
                throw Error(where + ": expected an object with 'text'");
            Candidate c;
            c.id = optionalInteger(jc, "id", where, 0);
            if (c.id <= 0 || c.id > (int64_t(1) << 53) || ws.find(c.id))
                throw Error(where + ".id: missing, not positive or repeated");
            c.text = textFieldFromJson(jc["text"], where + ".text");
            const std::string mark = optionalString(jc, "mark", where, "none");
            if (mark == "chosen")
                c.mark = Candidate::Mark::Chosen;
            else if (mark == "rejected")
                c.mark = Candidate::Mark::Rejected;
            else if (mark != "none")
                throw Error(where + ".mark: '" + mark + "' is not none, chosen or rejected");
            if (jc.contains("score"))
                c.score = scoreFromJson(jc["score"], where + ".score");
            ws.nextId = std::max(ws.nextId, c.id + 1);
            ws.candidates.push_back(std::move(c));
        }
    }
    if (j.contains("reference_score"))
        ws.referenceScore = scoreFromJson(j["reference_score"], file + ": reference_score");
    if (j.contains("settings")) {
        const Json &s = j["settings"];
        const std::string where = file + ": settings";
        if (!s.is_object())
            throw Error(where + ": expected an object");
        static_cast<ScoringSettings &>(ws.settings) = scoringSettingsFromJson(s, where);
        ws.settings.device = optionalString(s, "device", where, "auto");
        ws.settings.dtype = optionalString(s, "dtype", where, "auto");
    }
    return ws;
}

void saveWorkspace(const std::string &path, const Workspace &ws)
{
    writeFileAtomically(path, workspaceToJson(ws).dump(2) + "\n");
}

Workspace loadWorkspace(const std::string &path)
{
    const std::string text = readWholeFile(path);
    return workspaceFromJson(parseJson(text, path), path);
}

} // namespace polar
