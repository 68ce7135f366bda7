// polar-cli analyze / matrix / check: what the reward depends on (length, the
// reference, how it was computed), over core's analysis/.
#include "cli_common.h"

#include "analysis/length_bias.h"
#include "analysis/numerics_check.h"
#include "analysis/reference_sensitivity.h"
#include "analysis/reward_bench.h"
#include "analysis/statistics.h"
#include "preferences/annotated_jsonl.h"
#include "preferences/pairs.h"
#include "progress_bar.h"
#include "scoring/score_records.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"

#include <cstdio>

namespace polar::cli {

namespace {

// --json OUT: the report's JSON, atomically, never over the input.
void writeJsonReport(const Args &args, const Json &report, const std::string &input)
{
    if (!args.has("json"))
        return;
    const std::string out = args.value("json");
    refuseOverwritingInput(out, input, "input");
    writeFileAtomically(out, report.dump(2) + "\n");
    std::printf("wrote %s\n", out.c_str());
}

// The valid records of a score-style JSONL file (or standard input, "-"); bad
// lines are reported and left out (exit status 1 then).
std::vector<std::pair<size_t, ScoreRecord>> readRecords(const std::string &path, size_t *bad)
{
    std::vector<std::pair<size_t, ScoreRecord>> out;
    for (const auto &line : readInputLines(path)) {
        const std::string where = inputName(path) + ":" + std::to_string(line.number);
        try {
            if (!line.ok())
                throw Error(line.error);
            out.emplace_back(line.number, parseScoreRecord(line.value, where));
        } catch (const Error &e) {
            std::fprintf(stderr, "%s: %s\n", where.c_str(), e.what());
            ++*bad;
        }
    }
    if (out.empty())
        throw Error(inputName(path) + ": holds no usable records");
    return out;
}

int analyzeLength(const Args &args, const std::string &input)
{
    const auto items = loadAnnotatedItems(input);
    const double ratio = args.number("lopsided-ratio", 2.0);
    if (!(ratio > 1))
        throw Error("--lopsided-ratio: must be above 1, got " + args.value("lopsided-ratio"));
    auto model = loadModel(args); // its tokenizer measures the lengths
    const LengthBiasReport r = lengthBias(items, model->encoder().tokenizer(), ratio);
    std::printf("lengths in tokens of %s's tokenizer\n%s", model->info().name.c_str(), r.describe().c_str());
    Json j = r.toJson();
    j["tokenizer"] = model->info().name;
    writeJsonReport(args, j, input);
    return 0;
}

int analyzeCalibration(const Args &args, const std::string &input)
{
    std::vector<double> margins;
    for (const auto &it : loadAnnotatedItems(input)) {
        if (it.rewards.size() != it.candidates.size() || it.ranks.size() != it.candidates.size())
            continue;
        for (const auto &[c, w] : pairsFromRanking(it.ranks, PairStrategy::AllPairs))
            margins.push_back(double(it.rewards[c]) - double(it.rewards[w]));
    }
    const Calibration c = calibration(margins, int(args.integer("bins", 10, 1, 100)));
    std::printf("%zu human pairs with rewards; model accuracy %.1f%%; expected calibration error %.4f\n", c.pairs, 100 * c.accuracy,
                c.ece);
    std::printf("confidence bin   pairs  mean confidence  accuracy\n");
    Json bins = Json::array();
    for (const auto &b : c.bins) {
        std::printf("%.2f-%.2f     %6zu  %15.3f  %8.3f\n", b.lo, b.hi, b.count, b.meanConfidence, b.accuracy);
        bins.push_back({{"lo", b.lo}, {"hi", b.hi}, {"pairs", b.count}, {"mean_confidence", b.meanConfidence}, {"accuracy", b.accuracy}});
    }
    std::printf("(confidence: the model's sigmoid(reward difference) for the side it prefers)\n");
    writeJsonReport(args, {{"pairs", c.pairs}, {"accuracy", c.accuracy}, {"ece", c.ece}, {"bins", bins}}, input);
    return 0;
}

} // namespace

int runAnalyze(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli analyze length (PROJECT | ANNOTATED.jsonl) [--model DIR] [--lopsided-ratio X] [--json OUT]\n"
                        "       polar-cli analyze calibration (PROJECT | ANNOTATED.jsonl) [--bins N] [--json OUT]";
    Args args(argv, {}, optionSet({kModelOptions}, {"json", "lopsided-ratio", "bins"}));
    if (args.positional().size() != 2)
        throw Error(usage);
    const std::string what = args.positional()[0], input = args.positional()[1];
    checkOutputOption(args, "json", input);
    if (what == "length")
        return analyzeLength(args, input);
    if (what == "calibration")
        return analyzeCalibration(args, input);
    throw Error("unknown analysis '" + what + "'\n" + usage);
}

int runMatrix(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli matrix --model DIR (IN.jsonl | -) [--line N] [--edited-reference TEXT] [--threshold X] "
                        "[-o OUT.jsonl]";
    Args args(argv, {}, optionSet({kModelOptions, kScoringOptions}, {"line", "edited-reference", "threshold", "output"}));
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string input = args.positional()[0];
    checkOutputOption(args, "output", input);
    size_t bad = 0;
    auto records = readRecords(input, &bad);
    if (args.has("line")) {
        const size_t wanted = size_t(args.integer("line", 1, 1, int64_t(1) << 40));
        records.erase(std::remove_if(records.begin(), records.end(), [&](auto &r) { return r.first != wanted; }), records.end());
        if (records.empty())
            throw Error(inputName(input) + ":" + std::to_string(wanted) + ": no usable record on that line");
    }
    const ScoringSettings settings = scoringSettings(args);
    auto model = loadModel(args);
    std::optional<TextField> edited;
    if (args.has("edited-reference"))
        edited = TextField::fromString(args.value("edited-reference"));
    const double threshold = args.has("threshold") ? args.number("threshold", 0) : -1;
    std::vector<Json> out;
    for (const auto &[line, rec] : records) {
        const auto r = referenceSensitivity(*model, rec.prompt, rec.reference, rec.outputs, settings, edited, threshold);
        if (args.has("output"))
            std::printf("%s:%zu (%zu candidates)\n%s\n", inputName(input).c_str(), line, rec.outputs.size(), r.describe().c_str());
        out.push_back({{"line", line}, {"model", model->info().name}, {"reference_sensitivity", r.toJson()}});
    }
    writeRecords(args, out, input);
    return bad ? 1 : 0;
}

int runBenchRm(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli bench-rm --model DIR (BENCH.jsonl | -) --reference (column:NAME | file:REFS.jsonl | "
                        "leave-one-out) [--json OUT]";
    Args args(argv, {}, optionSet({kModelOptions, kScoringOptions, kServerOptions}, {"reference", "json"}));
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string input = args.positional()[0];
    const std::string ref = args.required("reference", usage);
    checkOutputOption(args, "json", input);
    const BenchReferenceOptions ro = forOption("reference", [&] { return parseBenchReference(ref); });
    auto rows = readRewardBench(readInputLines(input), inputName(input));
    const size_t missing = attachReferences(rows, ro);
    if (missing == rows.size())
        throw Error(inputName(input) + ": " + noReferencesMessage(rows, ro));
    const ScoringSettings settings = scoringSettings(args);
    auto model = loadModel(args);
    size_t answers = 0;
    for (const auto &r : rows)
        answers += r.reference ? r.chosen.size() + r.rejected.size() : 0;
    ProgressBar bar("scoring answers", answers);
    ScoreControl control;
    control.progress = [&bar](size_t done, size_t) { bar.update(done); };
    const BenchReport report = evaluateRewardBench(*model, rows, ro, settings, control);
    bar.finish();
    std::printf("model %s\n%s", model->info().name.c_str(), report.describe().c_str());
    Json j = report.toJson();
    j["model"] = model->info().name;
    writeJsonReport(args, j, input);
    return 0;
}

int runCheck(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli check --model DIR (IN.jsonl | -) [--compare-dtype bf16|fp16|fp32] [--json OUT]";
    Args args(argv, {}, optionSet({kModelOptions, kScoringOptions}, {"compare-dtype", "json"}));
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string input = args.positional()[0];
    checkOutputOption(args, "json", input);
    size_t bad = 0;
    const auto records = readRecords(input, &bad);
    std::vector<ScoreRequest> requests;
    std::vector<size_t> group;
    for (size_t r = 0; r < records.size(); ++r)
        for (const auto &o : records[r].second.outputs) {
            requests.push_back({records[r].second.prompt, records[r].second.reference, o});
            group.push_back(r);
        }
    const ScoringSettings settings = scoringSettings(args);
    auto model = loadModel(args);
    std::unique_ptr<RewardModel> other;
    if (args.has("compare-dtype")) {
        LoadOptions lo;
        lo.device = forOption("device", [&] { return parseDevice(args.value("device", "auto")); });
        lo.dtype = forOption("compare-dtype", [&] { return parseComputeDType(args.value("compare-dtype")); });
        if (lo.dtype == ComputeDType::F16 && model->info().device == "cpu")
            throw Error("--compare-dtype fp16: half precision needs a GPU here (LibTorch's CPU kernels lack it); compare bf16 on the CPU");
        other = RewardModel::load(model->info().directory, lo);
    }
    ProgressBar bar("scoring each input alone", requests.size());
    ScoreControl control;
    control.progress = [&bar](size_t done, size_t) { bar.update(done); };
    const NumericsReport r = checkNumerics(*model, requests, group, settings, other.get(), control);
    bar.finish();
    std::printf("model %s on %s (%s)\n%s", model->info().name.c_str(), model->info().device.c_str(), model->info().dtype.c_str(),
                r.describe().c_str());
    Json j = r.toJson();
    j["model"] = model->info().name;
    j["device"] = model->info().device;
    j["dtype"] = model->info().dtype;
    writeJsonReport(args, j, input);
    return bad || !r.allWithinTolerance() ? 1 : 0;
}

} // namespace polar::cli
