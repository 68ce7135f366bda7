// polar-cli score: rewards for every record of a JSONL file.
#include "cli_common.h"

#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "progress_bar.h"
#include "scoring/score_records.h"
#include "scoring/scorer.h"

#include <cstdio>

namespace polar::cli {

namespace {

struct Job
{
    size_t record;  // index into the output records
    size_t output;  // index into that record's outputs
    size_t line;    // line number in the input file
};

Json explainJson(const PolarInput &in)
{
    Json e = {{"encoded_text", in.text}, {"token_count", in.ids.size()}};
    if (in.truncation.any())
        e["truncation"] = in.truncation.describe();
    return e;
}

} // namespace

int runScore(const std::vector<std::string> &argv)
{
    Args args(argv, {"explain", "no-prefix-sharing"}, optionSet({kModelOptions, kScoringOptions}, {"output"}));
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli score --model DIR [options] IN.jsonl [-o OUT.jsonl]");
    const std::string inPath = args.positional()[0];
    const ScoringSettings settings = scoringSettings(args);
    const EncodeOptions encOpts = settings.encode;
    ScoreOptions scoreOpts;
    scoreOpts.batchTokens = settings.batchTokens;
    if (args.has("output"))
        refuseOverwritingInput(args.value("output"), inPath, "input");
    const bool explain = args.has("explain");

    const std::vector<JsonlLine> lines = readJsonl(inPath);
    if (lines.empty())
        throw Error(inPath + ": holds no records");
    auto model = loadModel(args);

    std::vector<Json> out;
    std::vector<ScoreRecord> records;
    std::vector<PolarInput> inputs;
    std::vector<Job> jobs;
    size_t failures = 0;
    auto fail = [&](const std::string &where, const std::string &why) {
        std::fprintf(stderr, "%s: %s\n", where.c_str(), why.c_str());
        ++failures;
    };

    for (const auto &line : lines) {
        const std::string where = inPath + ":" + std::to_string(line.number);
        if (!line.ok()) {
            fail(where, line.error);
            out.push_back({{"line", line.number}, {"error", line.error}});
            continue;
        }
        try {
            ScoreRecord rec = parseScoreRecord(line.value, where);
            std::vector<PolarInput> encoded;
            for (const auto &o : rec.outputs)
                encoded.push_back(model->encoder().encode(rec.prompt, rec.reference, o, encOpts));
            for (size_t i = 0; i < encoded.size(); ++i) {
                if (encoded[i].truncation.any())
                    std::fprintf(stderr, "%s: truncated: %s\n", where.c_str(), encoded[i].truncation.describe().c_str());
                jobs.push_back({out.size(), i, line.number});
                inputs.push_back(std::move(encoded[i]));
            }
            out.push_back(line.value);
            records.push_back(std::move(rec));
        } catch (const Error &e) {
            out.push_back(failedRecord(line.value, where, e.what()));
            ++failures;
        }
    }

    // One group per record: a record's outputs share its prompt and reference.
    std::vector<std::vector<PolarInput>> groups;
    for (size_t j = 0; j < jobs.size(); ++j) {
        if (j == 0 || jobs[j].record != jobs[j - 1].record)
            groups.emplace_back();
        groups.back().push_back(inputs[j]);
    }
    ProgressBar bar("scoring", inputs.size());
    scoreOpts.progress = [&bar](size_t done, size_t) { bar.update(done); };
    scoreOpts.sharePrefix = !args.has("no-prefix-sharing");
    ScoreStats stats;
    std::vector<ScoreResult> results;
    for (auto &g : scoreGroups(*model, groups, scoreOpts, &stats))
        results.insert(results.end(), g.begin(), g.end());
    bar.finish();
    const size_t scoredCount = inputs.size();

    // Put rewards back into their records, in input order.
    for (size_t j = 0; j < jobs.size(); ++j) {
        Json &rec = out[jobs[j].record];
        const bool many = rec.contains("outputs");
        const ScoreResult &r = results[j];
        const Json reward = r.ok ? Json(r.reward) : Json(nullptr);
        if (!r.ok) {
            fail(inPath + ":" + std::to_string(jobs[j].line) + ": output " + std::to_string(jobs[j].output), r.error);
            rec["error"] = r.error;
        }
        if (many) {
            if (!rec.contains("rewards"))
                rec["rewards"] = Json::array();
            rec["rewards"].push_back(reward);
            if (explain) {
                if (!rec.contains("explain"))
                    rec["explain"] = Json::array();
                rec["explain"].push_back(explainJson(inputs[j]));
            }
        } else {
            rec["reward"] = reward;
            if (explain)
                rec["explain"] = explainJson(inputs[j]);
        }
    }
    std::fprintf(stderr, "scored %zu outputs of %zu records in %zu passes (padding %.1f%%, %zu on a shared prefix)%s\n", scoredCount,
                 records.size(), stats.forwardPasses, 100.0 * stats.paddingRatio(), stats.sharedRows,
                 failures ? (", " + std::to_string(failures) + " problem(s) reported above").c_str() : "");

    writeRecords(args, out, inPath);
    return failures ? 1 : 0;
}

} // namespace polar::cli
