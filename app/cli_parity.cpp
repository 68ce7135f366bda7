// polar-cli parity: checks a model against golden cases computed with the
// official Python code. The Qt-less GPU build runs its CUDA parity through this.
#include "cli_common.h"

#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "scoring/pipeline.h"
#include "scoring/scorer.h"
#include "scoring/text_field.h"

#include <cmath>
#include <cstdio>

namespace polar::cli {

namespace {

struct Tally
{
    int passed = 0, failed = 0;
    void check(bool ok, const std::string &name, const std::string &detail)
    {
        ok ? ++passed : ++failed;
        std::printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name.c_str(), detail.empty() ? "" : ": ", detail.c_str());
    }
};

// The line that reports a reward against its golden value.
std::string rewardDetail(float reward, const std::string &field, double want, double diff, double atol)
{
    char detail[160];
    std::snprintf(detail, sizeof detail, "reward %.6f, golden %s %.6f, |diff| %.2e (atol %.3g)", reward, field.c_str(), want,
                  diff, atol);
    return detail;
}

struct ScoredCase
{
    std::string name;
    PolarInput input;
    double golden = 0;
};

// Every case again, all of them at once through the scoring pipeline, as
// `score` runs a dataset: cases of one prompt and reference share their prefix,
// and rows of different prompts share passes.
void checkTogether(const RewardModel &model, const std::vector<ScoredCase> &cases, const std::string &field, double atol,
                   Tally &tally)
{
    if (cases.empty())
        return;
    std::vector<PolarInput> inputs;
    for (const auto &c : cases)
        inputs.push_back(c.input);
    ScoreStats stats;
    const auto scores = scoreInputs(model, std::move(inputs), ScoringSettings{}, {}, &stats);
    for (size_t i = 0; i < scores.size(); ++i) {
        const double diff = scores[i].ok ? std::fabs(double(scores[i].reward) - cases[i].golden) : INFINITY;
        tally.check(diff <= atol, "together/" + cases[i].name,
                    scores[i].ok ? rewardDetail(scores[i].reward, field, cases[i].golden, diff, atol) : scores[i].error);
    }
    std::printf("together: %zu cases in %zu passes, %zu of them continuing a shared prefix\n", scores.size(),
                stats.forwardPasses, stats.sharedRows);
}

void checkCases(const RewardModel &model, const std::string &path, const std::string &field, double atol, Tally &tally)
{
    std::vector<ScoredCase> together;
    for (const auto &line : readJsonl(path)) {
        const std::string where = path + ":" + std::to_string(line.number);
        if (!line.ok())
            throw Error(where + ": " + line.error);
        const auto &c = line.value;
        const std::string name = c.value("name", where);
        const PolarInput in = model.encoder().encode(textFieldFromJson(c["prompt"], where + ".prompt"),
                                                     textFieldFromJson(c["reference"], where + ".reference"),
                                                     textFieldFromJson(c["output"], where + ".output"), scoringSettingsFromJson(c, where).encode);
        const bool textOk = in.text == c["encoded_text"].get<std::string>();
        const bool idsOk = in.ids == c["input_ids"].get<std::vector<int>>();
        if (!textOk || !idsOk) {
            tally.check(false, name, textOk ? "input_ids differ" : "encoded_text differs");
            continue;
        }
        if (!c.contains(field)) {
            tally.check(true, name, "encoding only");
            continue;
        }
        const auto r = scoreSequences(model, {in.ids});
        const double want = c[field].get<double>();
        together.push_back({name, in, want});
        const double diff = r[0].ok ? std::fabs(double(r[0].reward) - want) : INFINITY;
        std::string detail = rewardDetail(r[0].reward, field, want, diff, atol);
        bool ok = diff <= atol;
        if (ok && c.contains("per_position") && field == "reward") {
            const auto values = model.forwardPerPosition(in.ids);
            const auto golden = c["per_position"].get<std::vector<double>>();
            double worst = golden.size() == values.size() ? 0.0 : INFINITY;
            for (size_t i = 0; i < values.size() && i < golden.size(); ++i)
                worst = std::max(worst, std::fabs(double(values[i]) - golden[i]));
            // The golden per-position values are fp32 only: in fp16/bf16 they are
            // reported, and the reward (which has an official bf16 value) decides.
            const bool fp32 = model.info().dtype == "fp32";
            ok = !fp32 || worst <= atol;
            char positions[64];
            std::snprintf(positions, sizeof positions, "; per-position max %.2e%s", worst, fp32 ? "" : " (reported only)");
            detail += positions;
        }
        tally.check(ok, name, detail);
    }
    checkTogether(model, together, field, atol, tally);
}

void checkBatch(const RewardModel &model, const std::string &path, double atol, Tally &tally)
{
    const Json j = parseJson(readWholeFile(path), path);
    std::vector<std::vector<int>> rows;
    const auto lengths = j["lengths"].get<std::vector<int>>();
    const auto ids = j["input_ids"].get<std::vector<std::vector<int>>>();
    for (size_t i = 0; i < ids.size(); ++i)
        rows.emplace_back(ids[i].begin(), ids[i].begin() + lengths[i]);
    const auto batched = model.forwardRewards(rows);
    const auto single = j["rewards_single"].get<std::vector<double>>();
    for (size_t i = 0; i < rows.size(); ++i) {
        const double diff = std::fabs(double(batched[i]) - single[i]);
        char detail[128];
        std::snprintf(detail, sizeof detail, "batched %.6f vs single %.6f, |diff| %.2e (atol %.0e)", batched[i],
                      single[i], diff, atol);
        tally.check(diff <= atol, "batch[" + std::to_string(i) + "] " + j["names"][i].get<std::string>(), detail);
    }
}

} // namespace

int runParity(const std::vector<std::string> &argv)
{
    Args args(argv, {}, optionSet({kModelOptions}, {"golden", "field", "atol", "batch", "batch-atol"}));
    if (!args.has("golden") && !args.has("batch"))
        throw Error("usage: polar-cli parity --model DIR --golden CASES.jsonl [--field reward] [--atol 1e-4] "
                    "[--batch BATCH.json --batch-atol 1e-5] [--device --dtype]");
    auto model = loadModel(args);
    Tally tally;
    if (args.has("golden"))
        checkCases(*model, args.value("golden"), args.value("field", "reward"), args.number("atol", 1e-4), tally);
    if (args.has("batch"))
        checkBatch(*model, args.value("batch"), args.number("batch-atol", 1e-5), tally);
    std::printf("%d passed, %d failed\n", tally.passed, tally.failed);
    return tally.failed ? 1 : 0;
}

} // namespace polar::cli
