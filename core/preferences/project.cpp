#include "preferences/project.h"

#include "preferences/ranking_edit.h"
#include "util/counted.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace polar {

namespace {

constexpr const char *kFormat = "polar-studio-project";
constexpr int kVersion = 2;

std::string errnoText()
{
    return std::strerror(errno);
}

// ---- the journal file ---------------------------------------------------------

struct JournalLine
{
    size_t number = 0;
    std::string text;
};

struct JournalText
{
    std::vector<JournalLine> lines; // complete lines only
    bool tornTail = false;          // the file ends in a line without its newline
    uint64_t complete = 0;          // bytes up to the end of the last complete line
};

JournalText splitJournal(const std::string &data)
{
    JournalText j;
    size_t pos = 0, number = 0;
    while (pos < data.size()) {
        const size_t end = data.find('\n', pos);
        ++number;
        if (end == std::string::npos) {
            // No newline: the write of this line never finished, so it was never acknowledged.
            j.tornTail = true;
            break;
        }
        j.lines.push_back({number, data.substr(pos, end - pos)});
        pos = end + 1;
        j.complete = pos;
    }
    return j;
}

std::string readAll(int fd, const std::string &path)
{
    std::string data;
    char buf[1 << 16];
    off_t offset = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(path + ": read error (" + errnoText() + ")");
        }
        if (n == 0)
            return data;
        data.append(buf, size_t(n));
        offset += n;
    }
}

void writeAll(int fd, const std::string &data, const std::string &path)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(path + ": cannot save (" + errnoText() + ")");
        }
        done += size_t(n);
    }
}

// An exclusively locked descriptor of the file now at `path`: the lock is
// verified to be on the inode the path names (a file renamed over it between
// open and lock would leave us holding a lock on a file nobody reads).
int openLocked(const std::string &path, bool create)
{
    for (int attempt = 0; attempt < 20; ++attempt) {
        const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
        if (fd < 0)
            throw Error(path + ": cannot open for writing (" + errnoText() + ")");
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            throw Error(path + ": the project is open in another window or process");
        }
        struct stat held, named;
        if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev
            && held.st_ino == named.st_ino)
            return fd;
        ::close(fd); // replaced or removed meanwhile: try the file that is there now
        if (!create && ::access(path.c_str(), F_OK) != 0)
            throw Error(path + ": was removed while being opened");
    }
    throw Error(path + ": keeps being replaced while being opened");
}

// ---- the header -----------------------------------------------------------------

struct RecordPrint
{
    size_t line = 0;
    std::string hash, id;
};

struct Header
{
    int version = 0;
    std::string dataset;  // as written: relative to the project's folder, or absolute
    uint64_t bytes = 0;
    std::string hash;
    std::vector<RecordPrint> records;
};

Header parseHeader(const std::string &text, const std::string &where)
{
    const Json j = parseJson(text, where);
    if (!j.is_object() || optionalString(j, "format", where) != kFormat)
        throw Error(where + ": not a Polar Studio project (field 'format')");
    Header h;
    h.version = int(integerField(j, "version", where));
    if (h.version != 1 && h.version != kVersion)
        throw Error(where + ": project version " + std::to_string(h.version) + " is not supported (this build reads 1 and 2)");
    h.dataset = stringField(j, "dataset", where);
    if (h.dataset.empty())
        throw Error(where + ": field 'dataset' is empty");
    if (h.version == 1)
        return h;
    const int64_t bytes = integerField(j, "dataset_bytes", where);
    if (bytes < 0)
        throw Error(where + ": field 'dataset_bytes' is negative");
    h.bytes = uint64_t(bytes);
    h.hash = stringField(j, "dataset_hash", where);
    const Json &records = requireField(j, "records", where);
    if (!records.is_array())
        throw Error(where + ": field 'records' must be a list, found " + jsonTypeName(records));
    h.records.reserve(records.size());
    for (size_t k = 0; k < records.size(); ++k) {
        const Json &r = records[k];
        const std::string at = where + ": field 'records[" + std::to_string(k) + "]'";
        if (!r.is_array() || r.size() < 2 || r.size() > 3)
            throw Error(at + " must be [line, hash] or [line, hash, id]");
        RecordPrint p;
        const int64_t line = asInteger(r[0], at + "[0]");
        if (line < 1)
            throw Error(at + "[0] must be a line number (>= 1)");
        p.line = size_t(line);
        p.hash = asString(r[1], at + "[1]");
        if (r.size() == 3)
            p.id = asString(r[2], at + "[2]");
        if (!h.records.empty() && p.line <= h.records.back().line)
            throw Error(at + ": lines must increase");
        h.records.push_back(std::move(p));
    }
    return h;
}

Json headerFor(const DatasetImport &d, const std::string &datasetField)
{
    Json records = Json::array();
    for (const auto &r : d.records) {
        Json entry = Json::array({r.line, r.contentHash});
        if (!r.id.empty())
            entry.push_back(r.id);
        records.push_back(std::move(entry));
    }
    return objectFromPairs({{"format", kFormat},
                            {"version", kVersion},
                            {"dataset", datasetField},
                            {"dataset_bytes", d.fileBytes},
                            {"dataset_hash", d.fileHash},
                            {"records", std::move(records)}});
}

std::string resolveDataset(const std::string &projectPath, const std::string &dataset)
{
    return dataset[0] == '/' ? dataset : joinPath(directoryOf(projectPath), dataset);
}

std::string datasetFieldFor(const std::string &projectPath, const std::string &datasetPath)
{
    // Beside each other (the usual case): the bare name, so the pair can be moved together.
    return directoryOf(projectPath) == directoryOf(datasetPath) ? baseName(datasetPath) : datasetPath;
}

// Whether the dataset still is what the header fingerprinted; the reason if not.
std::string datasetMismatch(const Header &h, const DatasetImport &d)
{
    if (h.bytes != d.fileBytes || h.hash != d.fileHash)
        return "it was " + std::to_string(h.bytes) + " bytes (fingerprint " + h.hash + ") and is now "
            + std::to_string(d.fileBytes) + " bytes (fingerprint " + d.fileHash + ")";
    if (h.records.size() != d.records.size())
        return "it had " + std::to_string(h.records.size()) + " readable records and now has " + std::to_string(d.records.size());
    for (size_t k = 0; k < d.records.size(); ++k)
        if (h.records[k].line != d.records[k].line || h.records[k].hash != d.records[k].contentHash)
            return "the record on line " + std::to_string(d.records[k].line) + " differs";
    return {};
}

bool finiteFloat(double v)
{
    return std::isfinite(v) && std::fabs(v) <= double(FLT_MAX);
}

std::vector<float> rewardsFromJson(const Json &j, const std::string &what)
{
    if (!j.is_array())
        throw Error(what + " must be a list of numbers, found " + jsonTypeName(j));
    std::vector<float> out;
    out.reserve(j.size());
    for (size_t k = 0; k < j.size(); ++k) {
        const std::string at = what + "[" + std::to_string(k) + "]";
        const double v = asNumber(j[k], at);
        if (!finiteFloat(v))
            throw Error(at + " is not a finite reward");
        out.push_back(float(v));
    }
    return out;
}

Json timeEvent(size_t line, const std::string &annotator, double seconds)
{
    return objectFromPairs({{"op", "time"}, {"line", line}, {"annotator", annotator}, {"seconds", seconds}});
}

Json rewardsEvent(size_t line, const ItemState &s)
{
    return objectFromPairs({{"op", "rewards"},
                            {"line", line},
                            {"rewards", s.rewards},
                            {"model", s.rewardModel},
                            {"candidates", s.rewardsFor}});
}

Json annotationEvent(size_t line, const Annotation &a)
{
    return objectFromPairs({{"op", "annotation"}, {"line", line}, {"annotation", annotationToJson(a)}});
}

std::string describeDamage(const std::string &path, const std::vector<JournalDamage> &damage)
{
    std::string s = path + ": " + counted(damage.size(), "damaged line", "damaged lines");
    for (size_t k = 0; k < damage.size() && k < 5; ++k)
        s += "\n  line " + std::to_string(damage[k].line) + ": " + damage[k].reason;
    if (damage.size() > 5)
        s += "\n  ...";
    s += "\nThe rest can be salvaged: open it read-only, or write what can be applied to a new project with "
         "'polar-cli repair-project " + path + " -o NEW.polar-project.jsonl'.";
    return s;
}

} // namespace

// ---- annotations ---------------------------------------------------------------

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

Annotation withWrittenAnswer(Annotation a, TextField answer)
{
    a.humanOutputs.push_back(std::move(answer));
    a.ranks.push_back(0);
    a.ranks = putAtRank(a.ranks, a.ranks.size() - 1, 1);
    return a;
}

Annotation withEditedCandidate(Annotation a, size_t outputs, size_t c, TextField text)
{
    if (c >= outputs) {
        if (c - outputs < a.humanOutputs.size())
            a.humanOutputs[c - outputs] = std::move(text);
        return a;
    }
    a.edits.erase(std::remove_if(a.edits.begin(), a.edits.end(), [c](const auto &e) { return e.first == c; }), a.edits.end());
    a.edits.emplace_back(c, std::move(text));
    return a;
}

Json annotationToJson(const Annotation &a)
{
    Json human = Json::array(), edits = Json::array();
    for (const auto &h : a.humanOutputs)
        human.push_back(textFieldToJson(h));
    for (const auto &[i, t] : a.edits)
        edits.push_back(objectFromPairs({{"candidate", i}, {"text", textFieldToJson(t)}}));
    return objectFromPairs({{"decided", a.decided},
                            {"ranks", a.ranks},
                            {"human_outputs", std::move(human)},
                            {"edits", std::move(edits)},
                            {"none_acceptable", a.noneAcceptable},
                            {"flagged", a.flagged},
                            {"skipped", a.skipped},
                            {"note", a.note},
                            {"annotator", a.annotator},
                            {"time", a.time},
                            {"shown_order", a.shownOrder}});
}

Annotation annotationFromJson(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": annotation must be an object, found " + jsonTypeName(j));
    Annotation a;
    a.decided = optionalBool(j, "decided", where, false);
    if (const Json *ranks = findField(j, "ranks"); ranks && !ranks->is_null()) {
        if (!ranks->is_array())
            throw Error(where + ": field 'ranks' must be a list of integers, found " + jsonTypeName(*ranks));
        for (size_t k = 0; k < ranks->size(); ++k) {
            const int64_t r = asInteger((*ranks)[k], where + ": field 'ranks[" + std::to_string(k) + "]'");
            if (r < 0 || r > INT32_MAX)
                throw Error(where + ": field 'ranks[" + std::to_string(k) + "]' is out of range (" + std::to_string(r) + ")");
            a.ranks.push_back(int(r));
        }
    }
    if (const Json *human = findField(j, "human_outputs"); human && !human->is_null()) {
        if (!human->is_array())
            throw Error(where + ": field 'human_outputs' must be a list, found " + jsonTypeName(*human));
        for (size_t k = 0; k < human->size(); ++k)
            a.humanOutputs.push_back(textFieldFromJson((*human)[k], where + ": field 'human_outputs[" + std::to_string(k) + "]'"));
    }
    if (const Json *edits = findField(j, "edits"); edits && !edits->is_null()) {
        if (!edits->is_array())
            throw Error(where + ": field 'edits' must be a list, found " + jsonTypeName(*edits));
        for (size_t k = 0; k < edits->size(); ++k) {
            const std::string at = where + ": field 'edits[" + std::to_string(k) + "]'";
            const Json &e = (*edits)[k];
            if (!e.is_object())
                throw Error(at + " must be an object");
            const int64_t c = integerField(e, "candidate", at);
            if (c < 0)
                throw Error(at + ": field 'candidate' is negative");
            a.edits.emplace_back(size_t(c), textFieldFromJson(requireField(e, "text", at), at + ": field 'text'"));
        }
    }
    a.noneAcceptable = optionalBool(j, "none_acceptable", where, false);
    a.flagged = optionalBool(j, "flagged", where, false);
    a.skipped = optionalBool(j, "skipped", where, false);
    a.note = optionalString(j, "note", where);
    a.annotator = optionalString(j, "annotator", where);
    a.time = optionalInteger(j, "time", where, 0);
    if (const Json *shown = findField(j, "shown_order"); shown && !shown->is_null()) {
        if (!shown->is_array())
            throw Error(where + ": field 'shown_order' must be a list of candidate indices, found " + jsonTypeName(*shown));
        for (size_t k = 0; k < shown->size(); ++k) {
            const int64_t c = asInteger((*shown)[k], where + ": field 'shown_order[" + std::to_string(k) + "]'");
            if (c < 0)
                throw Error(where + ": field 'shown_order[" + std::to_string(k) + "]' is negative");
            a.shownOrder.push_back(size_t(c));
        }
    }
    return a;
}

std::string candidatesHash(const std::vector<TextField> &candidates)
{
    Json arr = Json::array();
    for (const auto &c : candidates)
        arr.push_back(textFieldToJson(c));
    return fingerprintHex(fingerprint(arr.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

// ---- opening ---------------------------------------------------------------------

std::string PreferenceProject::defaultProjectPath(const std::string &datasetPath)
{
    std::string base = datasetPath;
    if (base.size() > 6 && base.compare(base.size() - 6, 6, ".jsonl") == 0)
        base.resize(base.size() - 6);
    return base + ".polar-project.jsonl";
}

bool PreferenceProject::isProjectPath(const std::string &path)
{
    const std::string suffix = ".polar-project.jsonl";
    return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

namespace {

// The state of a project from its journal text, checked against its dataset.
struct Replay
{
    Header header;
    DatasetImport dataset;
    JournalText journal;
};

} // namespace

std::unique_ptr<PreferenceProject> PreferenceProject::openForDataset(const std::string &datasetPath)
{
    if (isProjectPath(datasetPath))
        throw Error(datasetPath + ": is a project file, not a dataset; open it as a project (its header names its dataset)");
    const std::string projectPath = defaultProjectPath(datasetPath);
    const int fd = openLocked(projectPath, /*create=*/true);
    try {
        const std::string data = readAll(fd, projectPath);
        if (data.find('\n') == std::string::npos) {
            // New (or a header whose first write never finished): this process holds
            // the lock, so it alone writes the header.
            DatasetImport d = importDataset(datasetPath);
            const std::string header = headerFor(d, datasetFieldFor(projectPath, datasetPath)).dump() + "\n";
            if (::ftruncate(fd, 0) != 0)
                throw Error(projectPath + ": cannot create (" + errnoText() + ")");
            writeAll(fd, header, projectPath);
            if (::fdatasync(fd) != 0)
                throw Error(projectPath + ": cannot create (" + errnoText() + ")");
        }
    } catch (...) {
        // Leave no empty project behind for a dataset that could not be read.
        struct stat st;
        if (::fstat(fd, &st) == 0 && st.st_size == 0)
            ::unlink(projectPath.c_str());
        ::close(fd);
        throw;
    }
    return openWith(projectPath, Mode::ReadWrite, fd);
}

std::string PreferenceProject::projectPathFor(const std::string &datasetOrProject)
{
    return isProjectPath(datasetOrProject) ? datasetOrProject : defaultProjectPath(datasetOrProject);
}

std::unique_ptr<PreferenceProject> PreferenceProject::openDatasetOrProject(const std::string &datasetOrProject)
{
    return isProjectPath(datasetOrProject) ? open(datasetOrProject) : openForDataset(datasetOrProject);
}

std::unique_ptr<PreferenceProject> PreferenceProject::open(const std::string &projectPath, Mode mode)
{
    return openWith(projectPath, mode, mode == Mode::ReadWrite ? openLocked(projectPath, /*create=*/false) : -1);
}

std::unique_ptr<PreferenceProject> PreferenceProject::openWith(const std::string &projectPath, Mode mode, int lockedFd)
{
    std::unique_ptr<PreferenceProject> p(new PreferenceProject);
    p->m_path = projectPath;
    p->m_fd = lockedFd; // closed by the destructor, also when opening fails below
    std::string data;
    if (mode == Mode::ReadWrite) {
        data = readAll(p->m_fd, projectPath);
    } else {
        data = readWholeFile(projectPath);
    }
    const JournalText journal = splitJournal(data);
    if (journal.lines.empty())
        throw Error(projectPath + ": empty project file (no header line)");
    const Header header = parseHeader(journal.lines[0].text, projectPath + ":1");
    p->m_version = header.version;
    const std::string datasetPath = resolveDataset(projectPath, header.dataset);
    p->m_dataset = importDataset(datasetPath);
    if (header.version >= 2) {
        const std::string why = datasetMismatch(header, p->m_dataset);
        if (!why.empty())
            throw DatasetChanged(datasetPath + ": changed since the project " + projectPath + " was made (" + why
                                 + "); its decisions would land on the wrong records, so nothing was opened or written. "
                                   "To carry the annotations over to the edited dataset (records matched by content), run "
                                   "'polar-cli reattach " + projectPath + " --dataset " + datasetPath + "'.",
                                 datasetPath);
    } else if (!p->m_dataset.invalid.empty()) {
        // Version 1 kept items by position among the readable records: with
        // unreadable lines in the file that position is ambiguous.
        throw DatasetChanged(projectPath + ": an old (version 1) project over a dataset with unreadable lines ("
                             + datasetPath + ":" + std::to_string(p->m_dataset.invalid.front().line)
                             + "); its items cannot be matched to records safely. Fix the dataset's bad lines first.",
                             datasetPath);
    }
    p->m_items.resize(p->m_dataset.records.size());
    p->m_currentHash.resize(p->m_items.size());
    for (size_t k = 1; k < journal.lines.size(); ++k) {
        const std::string where = projectPath + ":" + std::to_string(journal.lines[k].number);
        try {
            p->apply(parseJson(journal.lines[k].text, where), where);
        } catch (const Error &e) {
            std::string why = e.what();
            if (why.rfind(where + ": ", 0) == 0)
                why = why.substr(where.size() + 2);
            p->m_damage.push_back({journal.lines[k].number, why});
        }
    }
    if (!p->m_damage.empty() && mode != Mode::Salvage)
        throw ProjectDamaged(describeDamage(projectPath, p->m_damage), p->m_damage);
    p->m_committed = journal.complete;
    if (mode == Mode::ReadWrite) {
        // Cut the torn line in place (same file, so no other reader is left on an old copy).
        if (journal.tornTail && (::ftruncate(p->m_fd, off_t(journal.complete)) != 0 || ::fdatasync(p->m_fd) != 0))
            throw Error(projectPath + ": cannot repair the torn last line (" + errnoText() + ")");
        if (header.version < kVersion) {
            // Upgrade in place, keeping the old file: from now on items are
            // keyed by line and the dataset is fingerprinted.
            const std::string backup = projectPath + ".v" + std::to_string(header.version) + "-backup";
            writeFileAtomically(backup, data);
            p->m_version = kVersion;
            p->compact();
        }
    }
    return p;
}

PreferenceProject::~PreferenceProject()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void PreferenceProject::validateAnnotation(size_t i, const Annotation &a, const std::string &where) const
{
    const size_t outputs = m_dataset.records[i].outputs.size();
    const size_t n = outputs + a.humanOutputs.size();
    if (!a.ranks.empty() && a.ranks.size() != n)
        throw Error(where + ": field 'ranks' has " + std::to_string(a.ranks.size()) + " values for " + std::to_string(n)
                    + " candidates (" + std::to_string(outputs) + " outputs + " + std::to_string(a.humanOutputs.size())
                    + " written)");
    for (size_t k = 0; k < a.ranks.size(); ++k)
        if (a.ranks[k] < 0 || size_t(a.ranks[k]) > n)
            throw Error(where + ": field 'ranks[" + std::to_string(k) + "]' is " + std::to_string(a.ranks[k])
                        + ", outside 0.." + std::to_string(n));
    std::set<size_t> edited;
    for (const auto &[c, text] : a.edits) {
        if (c >= outputs)
            throw Error(where + ": an edit of candidate " + std::to_string(c) + ", but the record has " + std::to_string(outputs)
                        + " outputs");
        if (!edited.insert(c).second)
            throw Error(where + ": candidate " + std::to_string(c) + " is edited twice");
    }
    if (a.time < 0)
        throw Error(where + ": field 'time' is negative");
    // Written answers come after what was shown: the order may be shorter.
    std::set<size_t> seen;
    for (size_t c : a.shownOrder)
        if (c >= n || !seen.insert(c).second)
            throw Error(where + ": field 'shown_order' is not an order of the " + std::to_string(n) + " candidates");
}

void PreferenceProject::apply(const Json &ev, const std::string &where)
{
    if (!ev.is_object())
        throw Error(where + ": an event must be an object, found " + jsonTypeName(ev));
    const std::string op = stringField(ev, "op", where);
    size_t i = 0;
    if (m_version >= 2) {
        const int64_t line = integerField(ev, "line", where);
        const long index = line > 0 ? m_dataset.indexOfLine(size_t(line)) : -1;
        if (index < 0)
            throw Error(where + ": line " + std::to_string(line) + " is not a record of the dataset");
        i = size_t(index);
    } else {
        const int64_t item = integerField(ev, "item", where);
        if (item < 0 || uint64_t(item) >= m_items.size())
            throw Error(where + ": item " + std::to_string(item) + " is not in the dataset (" + std::to_string(m_items.size())
                        + " records)");
        i = size_t(item);
    }
    if (op == "rewards") {
        std::vector<float> rewards = rewardsFromJson(requireField(ev, "rewards", where), where + ": field 'rewards'");
        const std::string &current = currentHash(i);
        const std::string scoredFor = optionalString(ev, "candidates", where, current);
        if (scoredFor == current && rewards.size() != candidateCount(i))
            throw Error(where + ": field 'rewards' has " + std::to_string(rewards.size()) + " values for "
                        + std::to_string(candidateCount(i)) + " candidates");
        ItemState &s = m_items[i];
        s.rewards = std::move(rewards);
        s.rewardModel = optionalString(ev, "model", where);
        s.rewardsFor = scoredFor;
    } else if (op == "annotation") {
        Annotation a = annotationFromJson(requireField(ev, "annotation", where), where + ": field 'annotation'");
        validateAnnotation(i, a, where + ": field 'annotation'");
        replaceAnnotation(i, std::move(a));
    } else if (op == "time") {
        const double seconds = numberField(ev, "seconds", where);
        if (!(seconds >= 0) || !std::isfinite(seconds))
            throw Error(where + ": field 'seconds' must be a finite number of seconds, not negative");
        m_items[i].seconds[optionalString(ev, "annotator", where)] += seconds;
    } else {
        throw Error(where + ": unknown event '" + op + "'");
    }
}

Json PreferenceProject::headerJson() const
{
    return headerFor(m_dataset, datasetFieldFor(m_path, m_dataset.path));
}

// ---- writing ---------------------------------------------------------------------

void PreferenceProject::compact()
{
    if (m_fd < 0)
        throw Error(m_path + ": opened read-only");
    std::string out = headerJson().dump() + "\n";
    for (size_t i = 0; i < m_items.size(); ++i) {
        const size_t line = m_dataset.records[i].line;
        if (!m_items[i].rewards.empty())
            out += rewardsEvent(line, m_items[i]).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        if (!(m_items[i].annotation == Annotation{}))
            out += annotationEvent(line, m_items[i].annotation).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        for (const auto &[annotator, seconds] : m_items[i].seconds)
            out += timeEvent(line, annotator, seconds).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    }
    static std::atomic<unsigned> counter{0};
    const std::string tmp = m_path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const int fd = ::open(tmp.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(m_path + ": cannot compact (" + errnoText() + ")");
    try {
        // Locked before it becomes the project: no other process can take the new file first.
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
            throw Error(m_path + ": cannot lock the compacted journal");
        writeAll(fd, out, m_path);
        if (::fsync(fd) != 0 || ::rename(tmp.c_str(), m_path.c_str()) != 0)
            throw Error(m_path + ": cannot compact (" + errnoText() + ")");
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (const int dir = ::open(directoryOf(m_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    ::close(m_fd);
    m_fd = fd;
    m_committed = out.size();
    m_broken = false;
}

void PreferenceProject::append(const std::vector<Json> &events)
{
    if (m_fd < 0)
        throw Error(m_path + ": opened read-only");
    if (m_broken)
        throw Error(m_path + ": an earlier save failed and could not be rolled back; close and reopen the project");
    std::string out;
    for (const auto &e : events)
        out += e.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    try {
        writeAll(m_fd, out, m_path);
        if (::fdatasync(m_fd) != 0)
            throw Error(m_path + ": cannot save (" + errnoText() + ")");
    } catch (const Error &) {
        // Cut what may have reached the file, so the next save does not follow a torn line.
        if (::ftruncate(m_fd, off_t(m_committed)) != 0 || ::fdatasync(m_fd) != 0)
            m_broken = true;
        throw;
    }
    m_committed += out.size();
}

void PreferenceProject::setRewards(const std::vector<ItemRewards> &batch, const std::string &model)
{
    std::vector<Json> events;
    for (const auto &b : batch) {
        if (!b.error.empty())
            continue; // not scored: stays as it was, and the next run tries it again
        if (b.item >= m_items.size())
            throw Error(m_path + ": item " + std::to_string(b.item) + " is out of range");
        const std::string where = m_dataset.path + ":" + std::to_string(m_dataset.records[b.item].line);
        if (b.candidatesHash == currentHash(b.item) && b.rewards.size() != candidateCount(b.item))
            throw Error(where + ": " + std::to_string(b.rewards.size()) + " rewards for "
                        + std::to_string(candidateCount(b.item)) + " candidates; nothing was saved");
        for (size_t k = 0; k < b.rewards.size(); ++k)
            if (!finiteFloat(b.rewards[k]))
                throw Error(where + ": candidate " + std::to_string(k) + " has a non-finite reward; nothing was saved");
        ItemState s;
        s.rewards = b.rewards;
        s.rewardModel = model;
        s.rewardsFor = b.candidatesHash;
        events.push_back(rewardsEvent(m_dataset.records[b.item].line, s));
    }
    append(events); // on disk first, then in memory
    for (const auto &b : batch) {
        if (!b.error.empty())
            continue;
        ItemState &s = m_items[b.item];
        s.rewards = b.rewards;
        s.rewardModel = model;
        s.rewardsFor = b.candidatesHash;
    }
}

ItemRewards PreferenceProject::rewardsForCurrent(size_t i, std::vector<float> rewards) const
{
    return {i, std::move(rewards), m_currentHash[i].empty() ? candidatesHash(candidates(i)) : m_currentHash[i], {}};
}

void PreferenceProject::addTime(size_t i, const std::string &annotator, double seconds)
{
    if (i >= m_items.size())
        throw Error(m_path + ": item " + std::to_string(i) + " is out of range");
    if (!(seconds > 0) || !std::isfinite(seconds) || seconds > 3600)
        throw Error(m_path + ": " + std::to_string(seconds) + " seconds on one item at once is not a time to record");
    append({timeEvent(m_dataset.records[i].line, annotator, seconds)});
    m_items[i].seconds[annotator] += seconds;
}

void PreferenceProject::setAnnotation(size_t i, const Annotation &a)
{
    if (i >= m_items.size())
        throw Error(m_path + ": item " + std::to_string(i) + " is out of range");
    validateAnnotation(i, a, m_dataset.path + ":" + std::to_string(m_dataset.records[i].line));
    append({annotationEvent(m_dataset.records[i].line, a)});
    replaceAnnotation(i, a);
}

void PreferenceProject::replaceAnnotation(size_t i, Annotation a)
{
    Annotation &old = m_items[i].annotation;
    const bool candidatesChange = !(a.edits == old.edits && a.humanOutputs == old.humanOutputs);
    old = std::move(a);
    if (candidatesChange) {
        m_currentHash[i].clear();
        if (!m_items[i].rewards.empty())
            currentHash(i);
    }
}

const std::string &PreferenceProject::currentHash(size_t i)
{
    if (m_currentHash[i].empty())
        m_currentHash[i] = candidatesHash(candidates(i));
    return m_currentHash[i];
}

size_t PreferenceProject::candidateCount(size_t i) const
{
    return m_dataset.records[i].outputs.size() + m_items[i].annotation.humanOutputs.size();
}

// ---- reading the state -----------------------------------------------------------

ItemStatus PreferenceProject::status(size_t i) const
{
    const auto &s = m_items[i];
    if (s.annotation.skipped)
        return ItemStatus::Skipped;
    if (s.annotation.flagged)
        return ItemStatus::Flagged;
    if (s.annotation.decided)
        return ItemStatus::Annotated;
    return hasRewards(i) ? ItemStatus::Scored : ItemStatus::New;
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

bool PreferenceProject::hasRewards(size_t i) const
{
    const ItemState &s = m_items[i];
    return !s.rewards.empty() && s.rewardsFor == m_currentHash[i] // kept for every item with rewards
           && (m_scoringModel.empty() || s.rewardModel == m_scoringModel);
}

bool PreferenceProject::rewardsStale(size_t i) const
{
    return !m_items[i].rewards.empty() && !hasRewards(i);
}

std::vector<float> PreferenceProject::rewards(size_t i) const
{
    return hasRewards(i) ? m_items[i].rewards : std::vector<float>{};
}

bool datasetLabelRanks(DatasetRecord::Kind kind, bool decided, bool answersWritten)
{
    return kind == DatasetRecord::Kind::ChosenRejected && !decided && !answersWritten;
}

std::vector<int> PreferenceProject::effectiveRanks(size_t i) const
{
    const auto &a = m_items[i].annotation;
    if (a.decided)
        return a.ranks;
    if (datasetLabelRanks(m_dataset.records[i].kind, a.decided, !a.humanOutputs.empty()))
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
    it.rewards = rewards(i);
    it.rewardsStale = rewardsStale(i);
    it.ranks = effectiveRanks(i);
    it.ranksFromDataset = !it.ranks.empty() && !s.annotation.decided;
    it.noneAcceptable = s.annotation.noneAcceptable;
    it.flagged = s.annotation.flagged;
    it.skipped = s.annotation.skipped;
    it.note = s.annotation.note;
    it.annotator = s.annotation.annotator;
    it.extraFields = r.extraFields;
    it.contentHash = r.contentHash;
    it.seconds = s.seconds;
    it.shownOrder = s.annotation.shownOrder;
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

// ---- reattach and repair ---------------------------------------------------------

std::string ReattachReport::describe() const
{
    std::string s = std::to_string(matched) + " records matched, " + std::to_string(carriedEvents) + " changes carried over";
    if (!lostLines.empty()) {
        s += "; " + std::to_string(lostLines.size()) + " annotated or scored records of the old dataset were not found (lines";
        for (size_t k = 0; k < lostLines.size() && k < 20; ++k)
            s += " " + std::to_string(lostLines[k]);
        s += lostLines.size() > 20 ? " ...)" : ")";
    }
    if (newRecords)
        s += "; " + std::to_string(newRecords) + " records are new";
    return s;
}

namespace {

void refuseOutput(const std::string &output, const std::vector<std::pair<std::string, std::string>> &inputs)
{
    for (const auto &[path, role] : inputs)
        refuseOverwritingInput(output, path, role);
    if (fileExists(output) || directoryExists(output))
        throw Error(output + ": already exists; choose a new file for the project");
}

std::string timestamp()
{
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    return buf;
}

ReattachReport reattachTo(const std::string &projectPath, const std::string &datasetPath, const std::string &outputPath)
{
    const JournalText journal = splitJournal(readWholeFile(projectPath));
    if (journal.lines.empty())
        throw Error(projectPath + ": empty project file (no header line)");
    const Header header = parseHeader(journal.lines[0].text, projectPath + ":1");
    if (header.version < 2)
        throw Error(projectPath + ": a version 1 project has no record fingerprints to match by; open it once with its "
                                  "original dataset to upgrade it, then reattach");
    const DatasetImport dataset = importDataset(datasetPath);

    // Old line -> new line: by id where both have one, else by content, first unused match.
    std::map<std::string, size_t> byId;
    std::multimap<std::string, size_t> byContent;
    for (size_t k = 0; k < dataset.records.size(); ++k) {
        if (!dataset.records[k].id.empty())
            byId.emplace(dataset.records[k].id, k);
        byContent.emplace(dataset.records[k].contentHash, k);
    }
    std::vector<bool> used(dataset.records.size(), false);
    std::map<size_t, size_t> lineMap;
    ReattachReport report;
    for (const auto &old : header.records) {
        long match = -1;
        if (!old.id.empty()) {
            auto it = byId.find(old.id);
            if (it != byId.end() && !used[it->second] && dataset.records[it->second].contentHash == old.hash)
                match = long(it->second);
        }
        if (match < 0) {
            auto [b, e] = byContent.equal_range(old.hash);
            for (auto it = b; it != e && match < 0; ++it)
                if (!used[it->second] && (old.id.empty() || dataset.records[it->second].id.empty()
                                          || dataset.records[it->second].id == old.id))
                    match = long(it->second);
        }
        if (match >= 0) {
            used[size_t(match)] = true;
            lineMap[old.line] = dataset.records[size_t(match)].line;
            ++report.matched;
        }
    }
    for (bool u : used)
        report.newRecords += !u;

    std::string out = headerFor(dataset, datasetFieldFor(outputPath, datasetPath)).dump() + "\n";
    std::set<size_t> lost;
    for (size_t k = 1; k < journal.lines.size(); ++k) {
        const std::string where = projectPath + ":" + std::to_string(journal.lines[k].number);
        Json ev = parseJson(journal.lines[k].text, where);
        const size_t line = size_t(std::max<int64_t>(0, integerField(ev, "line", where)));
        auto it = lineMap.find(line);
        if (it == lineMap.end()) {
            lost.insert(line);
            continue;
        }
        ev["line"] = it->second;
        out += ev.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        ++report.carriedEvents;
    }
    report.lostLines.assign(lost.begin(), lost.end());
    writeFileAtomically(outputPath, out, [&](const std::string &tmp) {
        // The new journal must replay cleanly against the new dataset before it is kept.
        auto check = PreferenceProject::open(tmp, PreferenceProject::Mode::ReadOnly);
    });
    return report;
}

} // namespace

ReattachReport reattachProject(const std::string &projectPath, const std::string &datasetPath, const std::string &outputPath)
{
    refuseOverwritingInput(outputPath, datasetPath, "dataset");
    if (!sameFile(outputPath, projectPath)) {
        refuseOutput(outputPath, {{projectPath, "project being reattached"}});
        // Nobody may be writing the old journal while it is read.
        const int fd = openLocked(projectPath, false);
        try {
            auto r = reattachTo(projectPath, datasetPath, outputPath);
            ::close(fd);
            return r;
        } catch (...) {
            ::close(fd);
            throw;
        }
    }
    // The dataset was edited in place, so its project's path is the output:
    // the old journal is kept beside it under a new name, never overwritten.
    const int fd = openLocked(projectPath, false);
    const std::string backup = projectPath + ".before-reattach-" + timestamp();
    if (fileExists(backup) || ::rename(projectPath.c_str(), backup.c_str()) != 0) {
        ::close(fd);
        throw Error(projectPath + ": cannot move the old journal aside to " + backup);
    }
    try {
        auto r = reattachTo(backup, datasetPath, outputPath);
        ::close(fd);
        return r;
    } catch (...) {
        ::rename(backup.c_str(), projectPath.c_str());
        ::close(fd);
        throw;
    }
}

std::vector<JournalDamage> repairProject(const std::string &projectPath, const std::string &outputPath)
{
    refuseOutput(outputPath, {{projectPath, "damaged project"}});
    auto p = PreferenceProject::open(projectPath, PreferenceProject::Mode::Salvage);
    std::string out = headerFor(p->dataset(), datasetFieldFor(outputPath, p->dataset().path)).dump() + "\n";
    for (size_t i = 0; i < p->size(); ++i) {
        const size_t line = p->record(i).line;
        if (!p->item(i).rewards.empty())
            out += rewardsEvent(line, p->item(i)).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        if (!(p->item(i).annotation == Annotation{}))
            out += annotationEvent(line, p->item(i).annotation).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    }
    writeFileAtomically(outputPath, out, [](const std::string &tmp) { PreferenceProject::open(tmp, PreferenceProject::Mode::ReadOnly); });
    return p->damage();
}

} // namespace polar
