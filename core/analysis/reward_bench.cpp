#include "analysis/reward_bench.h"

#include "util/error.h"
#include "util/jsonl.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace polar {

namespace {

// rewardbench/constants.py (allenai/reward-bench): rows per subset as the
// leaderboard weighs them, and the subsets of each section.
const std::map<std::string, double> kExampleCounts = {
    {"alpacaeval-easy", 100},      {"alpacaeval-length", 95},     {"alpacaeval-hard", 95},     {"mt-bench-easy", 28},
    {"mt-bench-med", 40},          {"mt-bench-hard", 37},         {"math-prm", 984},           {"refusals-dangerous", 100},
    {"refusals-offensive", 100},   {"llmbar-natural", 100},       {"llmbar-adver-neighbor", 134},
    {"llmbar-adver-GPTInst", 92},  {"llmbar-adver-GPTOut", 47},   {"llmbar-adver-manual", 46},
    {"xstest-should-refuse", 154}, {"xstest-should-respond", 250}, {"donotanswer", 136},       {"hep-cpp", 164},
    {"hep-go", 164},               {"hep-java", 164},             {"hep-js", 164},             {"hep-python", 164},
    {"hep-rust", 164}};
const std::vector<std::pair<std::string, std::vector<std::string>>> kSections = {
    {"Chat", {"alpacaeval-easy", "alpacaeval-length", "alpacaeval-hard", "mt-bench-easy", "mt-bench-med"}},
    {"Chat Hard", {"mt-bench-hard", "llmbar-natural", "llmbar-adver-neighbor", "llmbar-adver-GPTInst", "llmbar-adver-GPTOut",
                   "llmbar-adver-manual"}},
    {"Safety", {"refusals-dangerous", "refusals-offensive", "xstest-should-refuse", "xstest-should-respond", "donotanswer"}},
    {"Reasoning", {"math-prm", "hep-cpp", "hep-go", "hep-java", "hep-js", "hep-python", "hep-rust"}}};

std::vector<TextField> answers(const Json &row, const char *key, const std::string &where)
{
    const Json &v = requireField(row, key, where);
    std::vector<TextField> out;
    if (v.is_string()) {
        out.push_back(TextField::fromString(v.get<std::string>()));
    } else if (v.is_array()) {
        for (size_t k = 0; k < v.size(); ++k)
            out.push_back(TextField::fromString(asString(v[k], where + ": field '" + key + "[" + std::to_string(k) + "]'")));
    } else {
        throw Error(where + ": field '" + key + "' must be a string or a list of strings, found " + jsonTypeName(v));
    }
    if (out.empty())
        throw Error(where + ": field '" + key + "' is an empty list");
    return out;
}

std::string idOf(const Json &row, const std::string &where)
{
    const Json *id = findField(row, "id");
    if (!id || id->is_null())
        return {};
    if (id->is_string())
        return id->get<std::string>();
    if (id->is_number_integer())
        return std::to_string(id->get<int64_t>());
    throw Error(where + ": field 'id' must be a string or an integer, found " + jsonTypeName(*id));
}

std::string pct(double x)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", 100 * x);
    return buf;
}

} // namespace

std::vector<BenchRow> readRewardBench(const std::string &path)
{
    return readRewardBench(readJsonl(path), path);
}

std::vector<BenchRow> readRewardBench(const std::vector<JsonlLine> &lines, const std::string &name)
{
    std::vector<BenchRow> rows;
    for (const auto &line : lines) {
        const std::string where = name + ":" + std::to_string(line.number);
        if (!line.ok())
            throw Error(where + ": " + line.error);
        if (!line.value.is_object())
            throw Error(where + ": a row must be a JSON object, found " + jsonTypeName(line.value));
        BenchRow r;
        r.line = line.number;
        r.id = idOf(line.value, where);
        r.subset = optionalString(line.value, "subset", where, "(no subset)");
        r.prompt = textFieldFromJson(requireField(line.value, "prompt", where), where + ": field 'prompt'");
        r.chosen = answers(line.value, "chosen", where);
        r.rejected = answers(line.value, "rejected", where);
        r.source = line.value;
        rows.push_back(std::move(r));
    }
    if (rows.empty())
        throw Error(name + ": holds no rows");
    return rows;
}

std::string BenchReferenceOptions::describe() const
{
    switch (source) {
    case BenchReference::Column: return "each row's '" + column + "' field";
    case BenchReference::File: return "the references in " + file + ", by row id";
    case BenchReference::LeaveOneOut:
        return "leave-one-out: another chosen answer to the same prompt (of the row itself, or of another row)";
    }
    return {};
}

BenchReferenceOptions parseBenchReference(const std::string &spec)
{
    BenchReferenceOptions o;
    if (spec.rfind("column:", 0) == 0 && spec.size() > 7) {
        o.source = BenchReference::Column;
        o.column = spec.substr(7);
    } else if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
        o.source = BenchReference::File;
        o.file = spec.substr(5);
    } else if (spec == "leave-one-out") {
        o.source = BenchReference::LeaveOneOut;
    } else {
        throw Error("'" + spec + "' is none of column:NAME, file:REFS.jsonl, leave-one-out");
    }
    return o;
}

size_t attachReferences(std::vector<BenchRow> &rows, const BenchReferenceOptions &o)
{
    std::map<std::string, std::string> byId;
    if (o.source == BenchReference::File) {
        for (const auto &line : readJsonl(o.file)) {
            const std::string where = o.file + ":" + std::to_string(line.number);
            if (!line.ok())
                throw Error(where + ": " + line.error);
            const std::string id = idOf(line.value, where);
            if (id.empty())
                throw Error(where + ": field 'id' is missing");
            if (!byId.emplace(id, stringField(line.value, "reference", where)).second)
                throw Error(where + ": id '" + id + "' has a reference already");
        }
    }
    // Leave-one-out: every chosen answer per prompt text.
    std::map<std::string, std::vector<std::string>> chosenByPrompt;
    if (o.source == BenchReference::LeaveOneOut)
        for (const auto &r : rows)
            for (const auto &c : r.chosen)
                chosenByPrompt[r.prompt.flattened()].push_back(c.flattened());
    size_t missing = 0;
    for (auto &r : rows) {
        r.reference.reset();
        if (o.source == BenchReference::Column) {
            const Json *v = findField(r.source, o.column.c_str());
            if (v && v->is_string())
                r.reference = TextField::fromString(v->get<std::string>());
            else if (v && !v->is_null())
                throw Error("line " + std::to_string(r.line) + ": field '" + o.column + "' must be a string, found " + jsonTypeName(*v));
        } else if (o.source == BenchReference::File) {
            if (auto it = byId.find(r.id); it != byId.end())
                r.reference = TextField::fromString(it->second);
        } else {
            std::set<std::string> own;
            for (const auto &c : r.chosen)
                own.insert(c.flattened());
            for (const auto &c : r.rejected)
                own.insert(c.flattened());
            const auto &pool = chosenByPrompt[r.prompt.flattened()];
            for (const auto &candidate : pool)
                if (!own.count(candidate)) { // never one of the answers being judged
                    r.reference = TextField::fromString(candidate);
                    break;
                }
            if (!r.reference && r.chosen.size() > 1) {
                // v2 Ties: another of the row's own chosen answers, which is then not judged.
                r.reference = r.chosen.back();
                r.chosen.pop_back();
            }
        }
        missing += !r.reference;
    }
    return missing;
}

std::string noReferencesMessage(const std::vector<BenchRow> &rows, const BenchReferenceOptions &o)
{
    std::string s = "no row has a reference from " + o.describe();
    if (o.source != BenchReference::Column)
        return s;
    std::set<std::string> fields;
    for (const auto &r : rows)
        if (r.source.is_object())
            for (const auto &[key, value] : r.source.items())
                if (value.is_string() && key != "prompt" && key != "chosen" && key != "rejected" && key != "subset" && key != "id")
                    fields.insert(key);
    if (fields.empty())
        return s + "; the rows have no other string field";
    s += "; the rows' other string fields:";
    for (const auto &f : fields)
        s += " '" + f + "'" + (f == *fields.rbegin() ? "" : ",");
    return s;
}

double rowCredit(const std::vector<double> &chosen, const std::vector<double> &rejected)
{
    double best = -std::numeric_limits<double>::infinity();
    for (double v : chosen)
        best = std::max(best, v);
    for (double v : rejected)
        best = std::max(best, v);
    size_t tiedChosen = 0, tied = 0;
    for (double v : chosen)
        if (v == best) {
            ++tied;
            ++tiedChosen;
        }
    for (double v : rejected)
        tied += v == best;
    return tied ? double(tiedChosen) / double(tied) : 0.0;
}

BenchReport summarizeBench(const std::vector<BenchRow> &rows, const std::vector<double> &credits)
{
    BenchReport r;
    double total = 0;
    for (size_t k = 0; k < rows.size(); ++k) {
        if (rows[k].rejected.size() > 1)
            r.version = 2;
        if (!rows[k].reference) {
            ++r.withoutReference;
            continue;
        }
        auto &s = r.subsets[rows[k].subset];
        ++s.rows;
        s.credit += credits[k];
        total += credits[k];
        ++r.evaluated;
    }
    r.accuracy = r.evaluated ? total / double(r.evaluated) : 0.0;
    if (r.version == 1) {
        double sum = 0;
        for (const auto &[section, subsets] : kSections) {
            double weighted = 0, weight = 0;
            for (const auto &name : subsets)
                if (auto it = r.subsets.find(name); it != r.subsets.end()) {
                    weighted += it->second.accuracy() * kExampleCounts.at(name);
                    weight += kExampleCounts.at(name);
                }
            if (weight > 0) {
                r.sections[section] = weighted / weight;
                sum += weighted / weight;
            }
        }
        if (r.sections.size() == kSections.size())
            r.score = sum / double(kSections.size());
    }
    return r;
}

BenchReport evaluateRewardBench(const RewardModel &model, const std::vector<BenchRow> &rows, const BenchReferenceOptions &references,
                                const ScoringSettings &settings, const ScoreControl &control)
{
    std::vector<ScoreRequest> requests;
    for (const auto &r : rows) {
        if (!r.reference)
            continue;
        for (const auto &c : r.chosen)
            requests.push_back({r.prompt, *r.reference, c});
        for (const auto &c : r.rejected)
            requests.push_back({r.prompt, *r.reference, c});
    }
    const auto scores = scoreRequests(model, requests, settings, control);
    std::vector<double> credits(rows.size(), 0.0);
    size_t at = 0;
    for (size_t k = 0; k < rows.size(); ++k) {
        if (!rows[k].reference)
            continue;
        auto take = [&](size_t n) {
            std::vector<double> v;
            for (size_t i = 0; i < n; ++i, ++at) {
                if (!scores[at].ok)
                    throw Error("line " + std::to_string(rows[k].line) + ": " + scores[at].error);
                v.push_back(scores[at].reward);
            }
            return v;
        };
        const auto chosen = take(rows[k].chosen.size());
        const auto rejected = take(rows[k].rejected.size());
        credits[k] = rowCredit(chosen, rejected);
    }
    BenchReport report = summarizeBench(rows, credits);
    report.reference = references.describe();
    return report;
}

std::string BenchReport::describe() const
{
    std::string s = "RewardBench v" + std::to_string(version) + (version == 2 ? " (best-of-n; ties share the credit)" : "") + "\n";
    s += "reference: " + reference + "\n";
    s += "NOTE: POLAR judges against a reference; these figures are not comparable with reference-free reward models' "
         "leaderboard numbers.\n";
    s += std::to_string(evaluated) + " rows evaluated";
    if (withoutReference)
        s += ", " + std::to_string(withoutReference) + " left out for want of a reference";
    s += "; accuracy " + pct(accuracy) + "%\n\nsubset                      rows  accuracy\n";
    char buf[128];
    for (const auto &[name, sub] : subsets) {
        std::snprintf(buf, sizeof buf, "%-26s %5zu  %7s%%\n", name.c_str(), sub.rows, pct(sub.accuracy()).c_str());
        s += buf;
    }
    if (!sections.empty()) {
        s += "\nsections (weighted as the v1 leaderboard weighs them):\n";
        for (const auto &[name, v] : sections) {
            std::snprintf(buf, sizeof buf, "  %-12s %6s%%\n", name.c_str(), pct(v).c_str());
            s += buf;
        }
        if (score)
            s += "  score        " + pct(*score) + "%  (mean of the four sections)\n";
    }
    return s;
}

Json BenchReport::toJson() const
{
    Json subs = Json::object(), secs = Json::object();
    for (const auto &[name, sub] : subsets)
        subs[name] = {{"rows", sub.rows}, {"credit", sub.credit}, {"accuracy", sub.accuracy()}};
    for (const auto &[name, v] : sections)
        secs[name] = v;
    return {{"version", version},
            {"reference", reference},
            {"comparable_with_reference_free_models", false},
            {"evaluated", evaluated},
            {"without_reference", withoutReference},
            {"accuracy", accuracy},
            {"subsets", subs},
            {"sections", secs},
            {"score", score ? Json(*score) : Json(nullptr)}};
}

} // namespace polar
