#include "workbench/workspace.h"

#include "util/error.h"
#include "util/files.h"

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

template <typename T>
T field(const Json &j, const char *key, const std::string &where, T fallback)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    try {
        return it->get<T>();
    } catch (const Json::exception &) {
        throw Error(where + "." + key + ": has the wrong type (" + it->type_name() + ")");
    }
}

CandidateScore scoreFromJson(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": expected an object");
    CandidateScore s;
    s.reward = field<float>(j, "reward", where, 0.f);
    s.tokens = field<int>(j, "tokens", where, 0);
    s.truncation = field<std::string>(j, "truncation", where, "");
    s.encodedText = field<std::string>(j, "encoded_text", where, "");
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
        {"settings",
         {{"max_length", ws.settings.encode.maxLength},
          {"max_response_length", ws.settings.encode.maxResponseLength},
          {"response_cut_side", ws.settings.encode.cutSide == CutSide::Left ? "left" : "right"},
          {"device", ws.settings.device},
          {"dtype", ws.settings.dtype},
          {"batch_tokens", ws.settings.batchTokens}}},
    };
    if (ws.referenceScore)
        j["reference_score"] = scoreToJson(*ws.referenceScore);
    return j;
}

Workspace workspaceFromJson(const Json &j, const std::string &file)
{
    if (!j.is_object())
        throw Error(file + ": expected a JSON object");
    if (field<std::string>(j, "format", file, "") != kFormat)
        throw Error(file + ": field 'format' is not \"" + std::string(kFormat) + "\"; not a Polar Studio session");
    const int version = field<int>(j, "version", file, 0);
    if (version < 1 || version > kVersion)
        throw Error(file + ": session version " + std::to_string(version) + " is not supported (this build reads 1.."
                    + std::to_string(kVersion) + ")");
    Workspace ws;
    ws.modelPath = field<std::string>(j, "model", file, "");
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
            c.id = field<int64_t>(jc, "id", where, 0);
            if (c.id <= 0 || ws.find(c.id))
                throw Error(where + ".id: missing, not positive or repeated");
            c.text = textFieldFromJson(jc["text"], where + ".text");
            const std::string mark = field<std::string>(jc, "mark", where, "none");
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
        ws.settings.encode.maxLength = field<int>(s, "max_length", where, ws.settings.encode.maxLength);
        ws.settings.encode.maxResponseLength = field<int>(s, "max_response_length", where, ws.settings.encode.maxResponseLength);
        const std::string side = field<std::string>(s, "response_cut_side", where, "left");
        if (side != "left" && side != "right")
            throw Error(where + ".response_cut_side: '" + side + "' is not left or right");
        ws.settings.encode.cutSide = side == "left" ? CutSide::Left : CutSide::Right;
        ws.settings.device = field<std::string>(s, "device", where, "auto");
        ws.settings.dtype = field<std::string>(s, "dtype", where, "auto");
        ws.settings.batchTokens = field<int64_t>(s, "batch_tokens", where, ws.settings.batchTokens);
        if (ws.settings.encode.maxLength < 5 || ws.settings.encode.maxResponseLength < 1 || ws.settings.batchTokens < 1)
            throw Error(where + ": max_length, max_response_length or batch_tokens out of range");
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
    Json j;
    try {
        j = Json::parse(text);
    } catch (const Json::parse_error &e) {
        throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    return workspaceFromJson(j, path);
}

} // namespace polar
