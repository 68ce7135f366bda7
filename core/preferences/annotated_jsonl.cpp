#include "preferences/annotated_jsonl.h"

#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <set>

namespace polar {

namespace {

const char *const kAnnotationFields[] = {"rewards", "rewards_stale", "human_rank", "human_written", "flags", "note", "annotator",
                                         "record_kind", "seconds", "shown_order"};

const char *kindName(DatasetRecord::Kind k)
{
    switch (k) {
    case DatasetRecord::Kind::Outputs: return "outputs";
    case DatasetRecord::Kind::Output: return "output";
    case DatasetRecord::Kind::ChosenRejected: return "chosen_rejected";
    }
    return "outputs";
}

} // namespace

Json annotatedItemToJson(const AnnotatedItem &it)
{
    std::vector<std::pair<std::string, Json>> fields;
    Json outputs = Json::array(), written = Json::array();
    for (size_t k = 0; k < it.candidates.size(); ++k) {
        outputs.push_back(textFieldToJson(it.candidates[k]));
        if (it.humanWritten[k])
            written.push_back(k);
    }
    fields.emplace_back("prompt", textFieldToJson(it.prompt));
    fields.emplace_back("reference", textFieldToJson(it.reference));
    fields.emplace_back("outputs", std::move(outputs));
    fields.emplace_back("rewards", it.rewards.empty() ? Json(nullptr) : Json(it.rewards));
    if (it.rewardsStale)
        fields.emplace_back("rewards_stale", true);
    // A chosen/rejected record nobody ranked: its label is the dataset's, which the reader restores.
    fields.emplace_back("human_rank", it.ranks.empty() || it.ranksFromDataset ? Json(nullptr) : Json(it.ranks));
    fields.emplace_back("human_written", std::move(written));
    fields.emplace_back("flags", objectFromPairs({{"flagged", it.flagged}, {"skipped", it.skipped}, {"none_acceptable", it.noneAcceptable}}));
    fields.emplace_back("note", it.note);
    fields.emplace_back("annotator", it.annotator);
    if (!it.shownOrder.empty())
        fields.emplace_back("shown_order", it.shownOrder); // the order the annotator saw the outputs in
    if (!it.seconds.empty()) {
        Json seconds = Json::object();
        for (const auto &[annotator, s] : it.seconds)
            seconds[annotator] = s;
        fields.emplace_back("seconds", std::move(seconds)); // time spent, per annotator
    }
    // Written out as "outputs", a chosen/rejected record keeps what it was (eval's RewardBench accuracy counts them).
    fields.emplace_back("record_kind", kindName(it.kind));
    std::set<std::string> taken;
    for (const auto &[k, v] : fields)
        taken.insert(k);
    if (!it.extraFields.empty()) {
        const Json extra = parseJson(it.extraFields, "extra fields");
        for (auto e = extra.begin(); e != extra.end(); ++e)
            if (!taken.count(e.key()))
                fields.emplace_back(e.key(), e.value());
    }
    return objectFromPairs(std::move(fields));
}

std::vector<AnnotatedItem> readAnnotatedJsonl(const std::string &path)
{
    std::vector<AnnotatedItem> items;
    for (const auto &line : readJsonl(path)) {
        const std::string where = path + ":" + std::to_string(line.number);
        if (!line.ok())
            throw Error(where + ": " + line.error);
        const Json &j = line.value;
        const DatasetRecord r = parseDatasetRecord(j, where);
        AnnotatedItem it;
        it.line = line.number;
        it.kind = r.kind;
        it.prompt = r.prompt;
        it.reference = r.reference;
        it.candidates = r.outputs;
        it.contentHash = r.contentHash;
        const size_t n = it.candidates.size();
        it.humanWritten.assign(n, false);
        if (const Json *rewards = findField(j, "rewards"); rewards && !rewards->is_null()) {
            if (!rewards->is_array())
                throw Error(where + ": field 'rewards' must be a list of numbers or null, found " + jsonTypeName(*rewards));
            for (size_t k = 0; k < rewards->size(); ++k) {
                const std::string at = where + ": field 'rewards[" + std::to_string(k) + "]'";
                const double v = asNumber((*rewards)[k], at);
                if (std::fabs(v) > double(FLT_MAX))
                    throw Error(at + " is out of range");
                it.rewards.push_back(float(v));
            }
            if (it.rewards.size() != n)
                throw Error(where + ": field 'rewards' has " + std::to_string(it.rewards.size()) + " values for " + std::to_string(n)
                            + " outputs");
        }
        it.rewardsStale = optionalBool(j, "rewards_stale", where, false);
        if (const Json *ranks = findField(j, "human_rank"); ranks && !ranks->is_null()) {
            if (!ranks->is_array())
                throw Error(where + ": field 'human_rank' must be a list of integers or null, found " + jsonTypeName(*ranks));
            if (ranks->size() != n)
                throw Error(where + ": field 'human_rank' has " + std::to_string(ranks->size()) + " values for " + std::to_string(n)
                            + " outputs");
            for (size_t k = 0; k < n; ++k) {
                const std::string at = where + ": field 'human_rank[" + std::to_string(k) + "]'";
                const int64_t v = asInteger((*ranks)[k], at);
                if (v < 0 || uint64_t(v) > n)
                    throw Error(at + " is " + std::to_string(v) + ", outside 0.." + std::to_string(n));
                it.ranks.push_back(int(v));
            }
        }
        if (const Json *written = findField(j, "human_written"); written && !written->is_null()) {
            if (!written->is_array())
                throw Error(where + ": field 'human_written' must be a list of output indices, found " + jsonTypeName(*written));
            for (size_t k = 0; k < written->size(); ++k) {
                const std::string at = where + ": field 'human_written[" + std::to_string(k) + "]'";
                const int64_t v = asInteger((*written)[k], at);
                if (v < 0 || uint64_t(v) >= n)
                    throw Error(at + " is " + std::to_string(v) + ", not an index of the " + std::to_string(n) + " outputs");
                it.humanWritten[size_t(v)] = true;
            }
        }
        if (const Json *flags = findField(j, "flags"); flags && !flags->is_null()) {
            if (!flags->is_object())
                throw Error(where + ": field 'flags' must be an object, found " + jsonTypeName(*flags));
            it.flagged = optionalBool(*flags, "flagged", where + ": field 'flags'", false);
            it.skipped = optionalBool(*flags, "skipped", where + ": field 'flags'", false);
            it.noneAcceptable = optionalBool(*flags, "none_acceptable", where + ": field 'flags'", false);
        }
        if (const Json *kind = findField(j, "record_kind"); kind && !kind->is_null()) {
            const std::string k = asString(*kind, where + ": field 'record_kind'");
            if (k == "chosen_rejected" && n >= 2)
                it.kind = DatasetRecord::Kind::ChosenRejected;
            else if (k == "output" || k == "outputs" || k == "chosen_rejected")
                it.kind = k == "output" ? DatasetRecord::Kind::Output : DatasetRecord::Kind::Outputs;
            else
                throw Error(where + ": field 'record_kind' is '" + k + "', not outputs, output or chosen_rejected");
        }
        it.note = optionalString(j, "note", where);
        it.annotator = optionalString(j, "annotator", where);
        if (const Json *shown = findField(j, "shown_order"); shown && !shown->is_null()) {
            if (!shown->is_array())
                throw Error(where + ": field 'shown_order' must be a list, found " + jsonTypeName(*shown));
            std::set<size_t> seen;
            for (size_t k = 0; k < shown->size(); ++k) {
                const int64_t c = asInteger((*shown)[k], where + ": field 'shown_order[" + std::to_string(k) + "]'");
                if (c < 0 || size_t(c) >= n || !seen.insert(size_t(c)).second)
                    throw Error(where + ": field 'shown_order' is not an order of the " + std::to_string(n) + " outputs");
                it.shownOrder.push_back(size_t(c));
            }
        }
        if (const Json *seconds = findField(j, "seconds"); seconds && !seconds->is_null()) {
            if (!seconds->is_object())
                throw Error(where + ": field 'seconds' must be an object of seconds per annotator, found " + jsonTypeName(*seconds));
            for (auto e = seconds->begin(); e != seconds->end(); ++e) {
                const double v = asNumber(e.value(), where + ": field 'seconds." + e.key() + "'");
                if (!(v >= 0) || !std::isfinite(v))
                    throw Error(where + ": field 'seconds." + e.key() + "' must be a finite number, not negative");
                it.seconds[e.key()] = v;
            }
        }
        // As the project decides: only the record's own two answers carry its label.
        const bool written = std::find(it.humanWritten.begin(), it.humanWritten.end(), true) != it.humanWritten.end();
        if (it.ranks.empty() && n == 2 && datasetLabelRanks(it.kind, false, written)) {
            it.ranks = {1, 2};
            it.ranksFromDataset = true;
        }
        Json extra = parseJson(r.extraFields, where);
        for (const char *k : kAnnotationFields)
            extra.erase(k);
        it.extraFields = extra.dump(-1, ' ', false, Json::error_handler_t::replace);
        items.push_back(std::move(it));
    }
    if (items.empty())
        throw Error(path + ": holds no records");
    return items;
}

void writeAnnotatedJsonl(const std::string &path, const std::vector<AnnotatedItem> &items)
{
    if (items.empty())
        throw Error(path + ": nothing to write (no items)");
    std::string out;
    for (const auto &it : items)
        out += annotatedItemToJson(it).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    writeFileAtomically(path, out, [&](const std::string &tmp) {
        // What pairs and eval will read must read back whole.
        const auto back = readAnnotatedJsonl(tmp);
        if (back.size() != items.size())
            throw Error(path + ": read back " + std::to_string(back.size()) + " records, wrote " + std::to_string(items.size()));
    });
}

std::vector<AnnotatedItem> loadAnnotatedItems(const std::string &path)
{
    if (PreferenceProject::isProjectPath(path))
        return PreferenceProject::open(path, PreferenceProject::Mode::ReadOnly)->annotatedItems();
    return readAnnotatedJsonl(path);
}

} // namespace polar
