#include "preferences/project.h"

#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace polar {

namespace {

constexpr const char *kFormat = "polar-studio-project";

std::string dirOf(const std::string &path)
{
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string baseName(const std::string &path)
{
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

const char *itemStatusName(ItemStatus s)
{
    switch (s) {
    case ItemStatus::New: return "new";
    case ItemStatus::Scored: return "scored";
    case ItemStatus::Annotated: return "annotated";
    case ItemStatus::Flagged: return "flagged";
    case ItemStatus::Skipped: return "skipped";
    }
    return "new";
}

bool Annotation::operator==(const Annotation &o) const
{
    return annotationToJson(*this).dump() == annotationToJson(o).dump();
}

Json annotationToJson(const Annotation &a)
{
    Json human = Json::array(), edits = Json::array();
    for (const auto &h : a.humanOutputs)
        human.push_back(textFieldToJson(h));
    for (const auto &[i, t] : a.edits)
        edits.push_back({{"candidate", i}, {"text", textFieldToJson(t)}});
    return {{"decided", a.decided}, {"ranks", a.ranks},     {"human_outputs", human}, {"edits", edits},
            {"none_acceptable", a.noneAcceptable}, {"flagged", a.flagged}, {"skipped", a.skipped},
            {"note", a.note}, {"annotator", a.annotator}, {"time", a.time}};
}

Annotation annotationFromJson(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": annotation is not an object");
    Annotation a;
    try {
        a.decided = j.value("decided", false);
        a.ranks = j.value("ranks", std::vector<int>{});
        if (j.contains("human_outputs"))
            for (size_t k = 0; k < j["human_outputs"].size(); ++k)
                a.humanOutputs.push_back(textFieldFromJson(j["human_outputs"][k], where + ".human_outputs"));
        if (j.contains("edits"))
            for (const auto &e : j["edits"])
                a.edits.emplace_back(e.at("candidate").get<size_t>(), textFieldFromJson(e.at("text"), where + ".edits"));
        a.noneAcceptable = j.value("none_acceptable", false);
        a.flagged = j.value("flagged", false);
        a.skipped = j.value("skipped", false);
        a.note = j.value("note", std::string());
        a.annotator = j.value("annotator", std::string());
        a.time = j.value("time", int64_t(0));
    } catch (const Json::exception &e) {
        throw Error(where + ": malformed annotation (" + e.what() + ")");
    }
    return a;
}

std::string PreferenceProject::defaultProjectPath(const std::string &datasetPath)
{
    std::string base = datasetPath;
    if (base.size() > 6 && base.compare(base.size() - 6, 6, ".jsonl") == 0)
        base.resize(base.size() - 6);
    return base + ".polar-project.jsonl";
}

std::unique_ptr<PreferenceProject> PreferenceProject::openForDataset(const std::string &datasetPath)
{
    const std::string projectPath = defaultProjectPath(datasetPath);
    if (fileExists(projectPath))
        return open(projectPath);
    const Json header = {{"format", kFormat}, {"version", 1}, {"dataset", baseName(datasetPath)}};
    writeFileAtomically(projectPath, header.dump() + "\n");
    return open(projectPath);
}

std::unique_ptr<PreferenceProject> PreferenceProject::open(const std::string &projectPath, Mode mode)
{
    std::unique_ptr<PreferenceProject> p(new PreferenceProject);
    p->m_path = projectPath;
    if (mode == Mode::ReadWrite) {
        p->m_fd = ::open(projectPath.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
        if (p->m_fd < 0)
            throw Error(projectPath + ": cannot open for writing (" + std::strerror(errno) + ")");
        if (::flock(p->m_fd, LOCK_EX | LOCK_NB) != 0)
            throw Error(projectPath + ": the project is open in another window or process");
    }
    const std::string data = readWholeFile(projectPath);
    std::vector<std::pair<size_t, std::string>> lines;
    size_t pos = 0, number = 0, complete = 0;
    bool tornTail = false;
    while (pos < data.size()) {
        size_t end = data.find('\n', pos);
        ++number;
        if (end == std::string::npos) {
            // No newline: the write of this line never finished, so it was never acknowledged.
            tornTail = true;
            break;
        }
        lines.emplace_back(number, data.substr(pos, end - pos));
        pos = end + 1;
        complete = pos;
    }
    if (lines.empty())
        throw Error(projectPath + ": empty project file (no header line)");
    Json header;
    try {
        header = Json::parse(lines[0].second);
    } catch (const Json::exception &e) {
        throw Error(projectPath + ":1: header is not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!header.is_object() || header.value("format", "") != kFormat)
        throw Error(projectPath + ":1: not a Polar Studio project (field 'format')");
    if (header.value("version", 0) != 1)
        throw Error(projectPath + ":1: unsupported project version");
    const std::string dataset = header.value("dataset", std::string());
    if (dataset.empty())
        throw Error(projectPath + ":1: field 'dataset' is missing");
    const std::string datasetPath = dataset[0] == '/' ? dataset : dirOf(projectPath) + "/" + dataset;
    p->m_dataset = importDataset(datasetPath);
    p->m_items.resize(p->m_dataset.records.size());
    for (size_t k = 1; k < lines.size(); ++k) {
        const std::string where = projectPath + ":" + std::to_string(lines[k].first);
        Json ev;
        try {
            ev = Json::parse(lines[k].second);
        } catch (const Json::exception &e) {
            throw Error(where + ": not valid JSON (" + std::string(e.what()) + "); the project file is damaged");
        }
        p->apply(ev, where);
    }
    // Cut the torn line in place (same file, so no other reader is left on an old copy).
    if (tornTail && mode == Mode::ReadWrite && ::ftruncate(p->m_fd, off_t(complete)) != 0)
        throw Error(projectPath + ": cannot repair the torn last line (" + std::strerror(errno) + ")");
    return p;
}

PreferenceProject::~PreferenceProject()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void PreferenceProject::apply(const Json &ev, const std::string &where)
{
    if (!ev.is_object() || !ev.contains("op") || !ev.contains("item"))
        throw Error(where + ": an event needs 'op' and 'item'");
    const size_t i = ev["item"].get<size_t>();
    if (i >= m_items.size())
        throw Error(where + ": item " + std::to_string(i) + " is not in the dataset (" + std::to_string(m_items.size())
                    + " records); was the dataset changed?");
    const std::string op = ev["op"].get<std::string>();
    if (op == "rewards") {
        m_items[i].rewards = ev.at("rewards").get<std::vector<float>>();
        m_items[i].rewardModel = ev.value("model", std::string());
    } else if (op == "annotation") {
        m_items[i].annotation = annotationFromJson(ev.at("annotation"), where);
    } else {
        throw Error(where + ": unknown event '" + op + "'");
    }
}

void PreferenceProject::compact()
{
    // The current state as one event per item, replacing the journal atomically.
    std::string out = Json({{"format", kFormat}, {"version", 1}, {"dataset", baseName(m_dataset.path)}}).dump() + "\n";
    for (size_t i = 0; i < m_items.size(); ++i) {
        if (!m_items[i].rewards.empty())
            out += Json({{"op", "rewards"}, {"item", i}, {"rewards", m_items[i].rewards}, {"model", m_items[i].rewardModel}}).dump() + "\n";
        if (!(m_items[i].annotation == Annotation{}))
            out += Json({{"op", "annotation"}, {"item", i}, {"annotation", annotationToJson(m_items[i].annotation)}}).dump() + "\n";
    }
    if (m_fd < 0)
        throw Error(m_path + ": opened read-only");
    writeFileAtomically(m_path, out);
    // The lock and the appends must follow the new file.
    const int fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0)
        throw Error(m_path + ": cannot reopen after compaction");
    ::close(m_fd);
    m_fd = fd;
}

void PreferenceProject::append(const std::vector<Json> &events)
{
    if (m_fd < 0)
        throw Error(m_path + ": opened read-only");
    std::string out;
    for (const auto &e : events)
        out += e.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::write(m_fd, out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(m_path + ": cannot save (" + std::strerror(errno) + ")");
        }
        done += size_t(n);
    }
    if (::fdatasync(m_fd) != 0)
        throw Error(m_path + ": cannot save (" + std::strerror(errno) + ")");
}

void PreferenceProject::setRewards(const std::vector<std::pair<size_t, std::vector<float>>> &batch, const std::string &model)
{
    std::vector<Json> events;
    for (const auto &[i, r] : batch)
        events.push_back({{"op", "rewards"}, {"item", i}, {"rewards", r}, {"model", model}});
    append(events); // on disk first, then in memory
    for (const auto &[i, r] : batch) {
        m_items[i].rewards = r;
        m_items[i].rewardModel = model;
    }
}

void PreferenceProject::setAnnotation(size_t i, const Annotation &a)
{
    if (i >= m_items.size())
        throw Error("item " + std::to_string(i) + " is out of range");
    append({{{"op", "annotation"}, {"item", i}, {"annotation", annotationToJson(a)}}});
    m_items[i].annotation = a;
}

ItemStatus PreferenceProject::status(size_t i) const
{
    const auto &s = m_items[i];
    if (s.annotation.skipped)
        return ItemStatus::Skipped;
    if (s.annotation.flagged)
        return ItemStatus::Flagged;
    if (s.annotation.decided)
        return ItemStatus::Annotated;
    return s.rewards.empty() ? ItemStatus::New : ItemStatus::Scored;
}

std::vector<TextField> PreferenceProject::candidates(size_t i) const
{
    std::vector<TextField> c = m_dataset.records[i].outputs;
    for (const auto &[k, t] : m_items[i].annotation.edits)
        if (k < c.size())
            c[k] = t;
    for (const auto &h : m_items[i].annotation.humanOutputs)
        c.push_back(h);
    return c;
}

std::vector<int> PreferenceProject::effectiveRanks(size_t i) const
{
    const auto &a = m_items[i].annotation;
    if (a.decided)
        return a.ranks;
    if (m_dataset.records[i].kind == DatasetRecord::Kind::ChosenRejected)
        return {1, 2};
    return {};
}

AnnotatedItem PreferenceProject::annotatedItem(size_t i) const
{
    const DatasetRecord &r = m_dataset.records[i];
    const ItemState &s = m_items[i];
    AnnotatedItem it;
    it.line = r.line;
    it.kind = r.kind;
    it.prompt = r.prompt;
    it.reference = r.reference;
    it.candidates = candidates(i);
    it.humanWritten.assign(it.candidates.size(), false);
    for (size_t k = r.outputs.size(); k < it.candidates.size(); ++k)
        it.humanWritten[k] = true;
    it.rewards = s.rewards;
    it.ranks = effectiveRanks(i);
    it.noneAcceptable = s.annotation.noneAcceptable;
    it.flagged = s.annotation.flagged;
    it.skipped = s.annotation.skipped;
    it.note = s.annotation.note;
    it.annotator = s.annotation.annotator;
    it.extraFields = r.extraFields;
    return it;
}

std::vector<AnnotatedItem> PreferenceProject::annotatedItems() const
{
    std::vector<AnnotatedItem> out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i)
        out.push_back(annotatedItem(i));
    return out;
}

bool PreferenceProject::hasRewards(size_t i) const
{
    const size_t count = m_dataset.records[i].outputs.size() + m_items[i].annotation.humanOutputs.size();
    return m_items[i].rewards.size() == count;
}

size_t PreferenceProject::scoredCount() const
{
    size_t n = 0;
    for (size_t i = 0; i < m_items.size(); ++i)
        n += hasRewards(i);
    return n;
}

size_t PreferenceProject::firstUnscored() const
{
    for (size_t i = 0; i < m_items.size(); ++i)
        if (!hasRewards(i))
            return i;
    return m_items.size();
}

Json annotatedItemToJson(const AnnotatedItem &it)
{
    Json j = Json::object();
    j["prompt"] = textFieldToJson(it.prompt);
    j["reference"] = textFieldToJson(it.reference);
    Json outputs = Json::array(), written = Json::array();
    for (size_t k = 0; k < it.candidates.size(); ++k) {
        outputs.push_back(textFieldToJson(it.candidates[k]));
        if (it.humanWritten[k])
            written.push_back(k);
    }
    j["outputs"] = outputs;
    j["rewards"] = it.rewards.empty() ? Json(nullptr) : Json(it.rewards);
    j["human_rank"] = it.ranks.empty() ? Json(nullptr) : Json(it.ranks);
    j["human_written"] = written;
    j["flags"] = {{"flagged", it.flagged}, {"skipped", it.skipped}, {"none_acceptable", it.noneAcceptable}};
    j["note"] = it.note;
    j["annotator"] = it.annotator;
    if (!it.extraFields.empty()) {
        const Json extra = Json::parse(it.extraFields);
        for (auto e = extra.begin(); e != extra.end(); ++e)
            if (!j.contains(e.key()))
                j[e.key()] = e.value();
    }
    return j;
}

void writeAnnotatedJsonl(const std::string &path, const std::vector<AnnotatedItem> &items)
{
    std::vector<Json> lines;
    lines.reserve(items.size());
    for (const auto &it : items)
        lines.push_back(annotatedItemToJson(it));
    writeJsonlAtomically(path, lines);
}

std::vector<AnnotatedItem> readAnnotatedJsonl(const std::string &path)
{
    std::vector<AnnotatedItem> items;
    for (const auto &line : readJsonl(path)) {
        const std::string where = path + ":" + std::to_string(line.number);
        if (!line.ok())
            throw Error(where + ": " + line.error);
        const Json &j = line.value;
        AnnotatedItem it;
        it.line = line.number;
        // The annotated form has "outputs"; plain datasets are read too.
        const DatasetRecord r = parseDatasetRecord(j.contains("outputs") ? Json(j) : j, where);
        it.kind = r.kind;
        it.prompt = r.prompt;
        it.reference = r.reference;
        it.candidates = r.outputs;
        it.humanWritten.assign(it.candidates.size(), false);
        try {
            if (j.contains("rewards") && !j["rewards"].is_null())
                it.rewards = j["rewards"].get<std::vector<float>>();
            if (j.contains("human_rank") && !j["human_rank"].is_null())
                it.ranks = j["human_rank"].get<std::vector<int>>();
            if (j.contains("human_written"))
                for (size_t k : j["human_written"].get<std::vector<size_t>>())
                    if (k < it.humanWritten.size())
                        it.humanWritten[k] = true;
            if (j.contains("flags")) {
                it.flagged = j["flags"].value("flagged", false);
                it.skipped = j["flags"].value("skipped", false);
                it.noneAcceptable = j["flags"].value("none_acceptable", false);
            }
            it.note = j.value("note", std::string());
            it.annotator = j.value("annotator", std::string());
        } catch (const Json::exception &e) {
            throw Error(where + ": " + e.what());
        }
        if (!it.rewards.empty() && it.rewards.size() != it.candidates.size())
            throw Error(where + ": field 'rewards' has " + std::to_string(it.rewards.size()) + " values for "
                        + std::to_string(it.candidates.size()) + " outputs");
        if (!it.ranks.empty() && it.ranks.size() != it.candidates.size())
            throw Error(where + ": field 'human_rank' has " + std::to_string(it.ranks.size()) + " values for "
                        + std::to_string(it.candidates.size()) + " outputs");
        if (it.ranks.empty() && r.kind == DatasetRecord::Kind::ChosenRejected)
            it.ranks = {1, 2};
        Json extra = Json::parse(r.extraFields);
        for (const char *k : {"rewards", "human_rank", "human_written", "flags", "note", "annotator"})
            extra.erase(k);
        it.extraFields = extra.dump();
        items.push_back(std::move(it));
    }
    return items;
}

} // namespace polar
