// polar-cli attribute: which tokens (words, sentences) moved each reward.
#include "cli_common.h"

#include "attribution/attribution.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "progress_bar.h"
#include "scoring/score_records.h"

#include <cstdio>

namespace polar::cli {

namespace {

Json spanJson(const AttributionSpan &s, const ScoreRecord &rec, const TextField &output)
{
    const std::string field = s.segment == Segment::Reference ? rec.reference.flattened()
        : s.segment == Segment::Output                        ? output.flattened()
                                                              : rec.prompt.flattened();
    Json span = nullptr;
    if (s.segment != Segment::Special && s.fieldBegin >= 0)
        span = Json::array({utf8CodepointOffset(field, s.fieldBegin), utf8CodepointOffset(field, s.fieldEnd)});
    return {{"text", s.text}, {"segment", segmentName(s.segment)}, {"span", span}, {"value", s.value}};
}

Json resultJson(const AttributionResult &r, const PolarInput &in, const ScoreRecord &rec, const TextField &output,
                Granularity granularity)
{
    Json j = {{"reward", r.reward}, {"method", attributionMethodName(r.method)}};
    Json units = Json::array();
    if (r.method == AttributionMethod::Occlusion) {
        j["granularity"] = granularityName(granularity);
        for (const auto &u : r.occludedUnits)
            units.push_back(spanJson(u, rec, output));
    } else {
        j["granularity"] = granularityName(granularity);
        for (const auto &s : aggregateAttribution(in, r.tokenValues, granularity))
            units.push_back(spanJson(s, rec, output));
    }
    j["units"] = units;
    if (r.method == AttributionMethod::IntegratedGradients)
        j["completeness"] = {{"sum_of_contributions", r.contributionSum},
                             {"reward_minus_baseline", double(r.reward) - double(r.baselineReward)},
                             {"baseline_reward", r.baselineReward},
                             {"relative_error", r.completenessError}};
    if (r.method == AttributionMethod::RewardCurve) {
        Json curve = Json::array();
        for (size_t k = 0; k < r.prefixRewards.size(); ++k)
            curve.push_back({{"output_tokens", k}, {"reward", r.prefixRewards[k]}});
        j["curve"] = curve;
    }
    j["seconds"] = r.seconds;
    return j;
}

} // namespace

int runAttribute(const std::vector<std::string> &argv)
{
    Args args(argv, {}, optionSet({kModelOptions, kScoringOptions}, {"method", "steps", "granularity", "baseline", "output"}));
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli attribute --model DIR --method grad|ig|occlusion|curve [--steps N] "
                    "[--granularity token|word|sentence|line] IN.jsonl|- [-o OUT.jsonl]");
    const std::string inPath = args.positional()[0], inName = inputName(inPath);
    AttributionOptions o;
    o.method = forOption("method", [&] { return parseAttributionMethod(args.value("method", "grad")); });
    o.steps = int(args.integer("steps", 32, 1, 100000));
    const Granularity granularity = forOption("granularity", [&] {
        return parseGranularity(args.value("granularity", o.method == AttributionMethod::Occlusion ? "word" : "token"));
    });
    o.occlusionUnit = granularity;
    const std::string baseline = args.value("baseline", "pad");
    if (baseline != "zero" && baseline != "pad")
        throw Error("--baseline: '" + baseline + "' is not zero or pad");
    o.baseline = baseline == "pad" ? IgBaseline::PadEmbedding : IgBaseline::Zero;
    const ScoringSettings settings = scoringSettings(args);
    o.batchTokens = settings.batchTokens;
    o.encode = settings.encode;
    checkOutputOption(args, "output", inPath);

    const auto lines = readInputLines(inPath);
    if (lines.empty())
        throw Error(inName + ": holds no records");
    auto model = loadModel(args);
    std::vector<Json> out;
    size_t failures = 0, outputsDone = 0, outputsTotal = 0;
    for (const auto &line : lines)
        if (line.ok() && line.value.is_object())
            outputsTotal += line.value.contains("outputs") && line.value["outputs"].is_array() ? line.value["outputs"].size()
                            : line.value.contains("chosen")                                     ? 2
                                                                                                 : 1;
    ProgressBar bar("attributing", outputsTotal);
    for (const auto &line : lines) {
        const std::string where = inName + ":" + std::to_string(line.number);
        if (!line.ok()) {
            std::fprintf(stderr, "%s: %s\n", where.c_str(), line.error.c_str());
            out.push_back({{"line", line.number}, {"error", line.error}});
            ++failures;
            continue;
        }
        Json rec = line.value;
        try {
            const ScoreRecord r = parseScoreRecord(line.value, where);
            Json results = Json::array();
            for (const auto &output : r.outputs) {
                const PolarInput in = model->encoder().encode(r.prompt, r.reference, output, o.encode);
                if (in.truncation.any())
                    std::fprintf(stderr, "%s: truncated: %s\n", where.c_str(), in.truncation.describe().c_str());
                results.push_back(resultJson(attribute(*model, in, r.prompt, r.reference, output, o), in, r, output, granularity));
                bar.update(++outputsDone);
            }
            rec.erase("error"); // an earlier run's, on a record that scores now
            if (r.shape == ScoreRecord::Shape::Outputs)
                rec["attributions"] = Json::array();
            for (size_t k = 0; k < results.size(); ++k)
                putResult(rec, r.shape, k, "attribution", "attributions", results[k]);
        } catch (const Cancelled &) {
            throw;
        } catch (const std::exception &e) {
            rec = failedRecord(line.value, where, e.what());
            ++failures;
        }
        out.push_back(rec);
    }
    bar.finish();
    writeRecords(args, out, inPath);
    return failures ? 1 : 0;
}

} // namespace polar::cli
