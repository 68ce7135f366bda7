// polar-cli score: rewards for every record of a JSONL file.
#include "cli_common.h"

#include "util/counted.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "progress_bar.h"
#include "scoring/score_records.h"
#include "scoring/pipeline.h"

#include <cstdio>

namespace polar::cli {

namespace {

struct Job
{
    size_t record;  // index into the output records
    size_t output;  // index into that record's outputs
    size_t line;    // line number in the input file
    ScoreRecord::Shape shape;
};

Json explainJson(const CandidateScore &s)
{
    Json e = {{"encoded_text", s.encodedText}, {"token_count", s.tokens}};
    if (s.input)
        e["token_ids"] = s.input->ids;
    if (!s.truncation.empty())
        e["truncation"] = s.truncation;
    return e;
}

// The record as it will be written, its results to come: what an earlier run
// wrote into it (a scored file scored again) is replaced, never appended to or
// left beside this run's, so rewards[i] is always outputs[i]'s.
Json withoutOldResults(Json record, const ScoreRecord &parsed, bool explain)
{
    for (const char *field : {"reward", "rewards", "explain", "error"})
        record.erase(field);
    if (parsed.shape == ScoreRecord::Shape::ChosenRejected)
        for (const char *field : {"chosen_reward", "rejected_reward", "chosen_explain", "rejected_explain"})
            record.erase(field);
    if (parsed.shape == ScoreRecord::Shape::Outputs) {
        record["rewards"] = Json::array();
        for (size_t i = 0; i < parsed.outputs.size(); ++i)
            record["rewards"].push_back(nullptr);
        if (explain)
            record["explain"] = record["rewards"];
    }
    return record;
}

} // namespace

int runScore(const std::vector<std::string> &argv)
{
    Args args(argv, {"explain", "no-prefix-sharing"}, optionSet({kModelOptions, kScoringOptions, kServerOptions}, {"output"}));
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli score --model DIR [options] IN.jsonl|- [-o OUT.jsonl]");
    const std::string inPath = args.positional()[0], inName = inputName(inPath);
    const ScoringSettings settings = scoringSettings(args);
    checkOutputOption(args, "output", inPath);
    const bool explain = args.has("explain");

    const std::vector<JsonlLine> lines = readInputLines(inPath);
    if (lines.empty())
        throw Error(inName + ": holds no records");
    auto model = loadModel(args);

    std::vector<Json> out;
    std::vector<ScoreRequest> requests;
    std::vector<Job> jobs;
    size_t failures = 0, records = 0;
    auto fail = [&](const std::string &where, const std::string &why) {
        std::fprintf(stderr, "%s: %s\n", where.c_str(), why.c_str());
        ++failures;
    };

    for (const auto &line : lines) {
        const std::string where = inName + ":" + std::to_string(line.number);
        if (!line.ok()) {
            fail(where, line.error);
            out.push_back({{"line", line.number}, {"error", line.error}});
            continue;
        }
        try {
            const ScoreRecord rec = parseScoreRecord(line.value, where);
            for (size_t i = 0; i < rec.outputs.size(); ++i) {
                jobs.push_back({out.size(), i, line.number, rec.shape});
                requests.push_back({rec.prompt, rec.reference, rec.outputs[i]});
            }
            out.push_back(withoutOldResults(line.value, rec, explain));
            ++records;
        } catch (const Error &e) {
            out.push_back(failedRecord(line.value, where, e.what()));
            ++failures;
        }
    }

    // One pipeline call: outputs of one record, and separate records with the
    // same prompt and reference, share the prompt+reference prefix.
    ProgressBar bar("scoring", requests.size());
    ScoreControl control;
    control.progress = [&bar](size_t done, size_t) { bar.update(done); };
    ScoreStats stats;
    const bool share = !args.has("no-prefix-sharing");
    const auto results = scoreRequests(*model, requests, settings, control, &stats,
                                       [share](ScoreOptions &o) { o.sharePrefix = share; });
    bar.finish();

    // Put rewards back into their records, in input order.
    for (size_t j = 0; j < jobs.size(); ++j) {
        Json &rec = out[jobs[j].record];
        const CandidateScore &r = results[j];
        if (!r.truncation.empty())
            std::fprintf(stderr, "%s:%zu: truncated: %s\n", inName.c_str(), jobs[j].line, r.truncation.c_str());
        const Json reward = r.ok ? Json(r.reward) : Json(nullptr);
        if (!r.ok) {
            fail(inName + ":" + std::to_string(jobs[j].line) + ": output " + std::to_string(jobs[j].output), r.error);
            rec["error"] = r.error;
        }
        putResult(rec, jobs[j].shape, jobs[j].output, "reward", "rewards", reward);
        if (explain)
            putResult(rec, jobs[j].shape, jobs[j].output, "explain", "explain", explainJson(r));
    }
    if (model->remote())
        std::fprintf(stderr, "scored %s of %s on %s%s\n", counted(requests.size(), "output", "outputs").c_str(),
                     counted(records, "record", "records").c_str(), model->info().remote.c_str(),
                     failures ? (", " + counted(failures, "problem", "problems") + " reported above").c_str() : "");
    else
        std::fprintf(stderr, "scored %s of %s in %s (padding %.1f%%, %zu on a shared prefix%s)%s\n",
                 counted(requests.size(), "output", "outputs").c_str(), counted(records, "record", "records").c_str(),
                 counted(stats.forwardPasses, "pass", "passes").c_str(), 100.0 * stats.paddingRatio(), stats.sharedRows,
                 stats.oomRetries ? (", " + std::to_string(stats.oomRetries) + " split after running out of memory").c_str() : "",
                 failures ? (", " + counted(failures, "problem", "problems") + " reported above").c_str() : "");

    writeRecords(args, out, inPath);
    return failures ? 1 : 0;
}

} // namespace polar::cli
