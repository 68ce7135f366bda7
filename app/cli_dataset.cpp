// polar-cli pairs / eval / score-dataset / export-annotated / reattach /
// repair-project: the dataset workflow without the GUI.
#include "cli_common.h"

#include "preferences/annotated_jsonl.h"
#include "preferences/annotator_merge.h"
#include "preferences/export.h"
#include "preferences/metrics.h"
#include "preferences/project.h"
#include "preferences/project_scoring.h"
#include "progress_bar.h"
#include "util/counted.h"
#include "util/error.h"
#include "util/files.h"

#include <cstdio>

namespace polar::cli {

namespace {

// Refuses an output that is the input, its project journal or its dataset:
// no command writes over what it reads.
void refuseOverwritingSources(const std::string &output, const std::string &input)
{
    refuseOverwritingInput(output, input, "input");
    if (PreferenceProject::isProjectPath(input)) {
        // The project's dataset is an input too.
        const auto p = PreferenceProject::open(input, PreferenceProject::Mode::ReadOnly);
        refuseOverwritingInput(output, p->dataset().path, "project's dataset");
    } else {
        const std::string project = PreferenceProject::defaultProjectPath(input);
        if (fileExists(project))
            refuseOverwritingInput(output, project, "input's project journal");
    }
}

size_t staleCount(const std::vector<AnnotatedItem> &items)
{
    size_t n = 0;
    for (const auto &it : items)
        n += it.rewardsStale;
    return n;
}

} // namespace

int runPairs(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli pairs (PROJECT.polar-project.jsonl | ANNOTATED.jsonl) -o train.jsonl "
                        "--strategy all|best-vs-rest|adjacent|best-vs-worst [--format polar|trl|trl-text] "
                        "[--min-margin X] [--hard-only] [--keep-empty] [--fill-roles]";
    Args args(argv, {"hard-only", "keep-empty", "fill-roles"}, {"output", "strategy", "format", "min-margin"});
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string input = args.positional()[0];
    const std::string output = args.required("output", usage);
    ExportOptions o;
    o.strategy = forOption("strategy", [&] { return parsePairStrategy(args.required("strategy", usage)); });
    o.format = forOption("format", [&] { return parsePairFormat(args.value("format", "polar")); });
    if (args.has("min-margin"))
        o.minMargin = args.number("min-margin", 0.0);
    o.hardOnly = args.has("hard-only");
    o.keepEmpty = args.has("keep-empty");
    o.fillMissingRoles = args.has("fill-roles");
    refuseOverwritingSources(output, input);
    const auto items = loadAnnotatedItems(input);
    const ExportSummary s = exportPairs(items, output, o);
    std::printf("wrote %s (%s format): %s\n", output.c_str(), pairFormatName(o.format), s.describe().c_str());
    return 0;
}

int runEval(const std::vector<std::string> &argv)
{
    Args args(argv, {}, {"second"});
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli eval (PROJECT | ANNOTATED.jsonl) [--second OTHER_ANNOTATOR_PROJECT]");
    const auto items = loadAnnotatedItems(args.positional()[0]);
    std::printf("%s", agreementReport(items).describe().c_str());
    std::printf("%s", positionBias(items).describe().c_str());
    std::printf("%s", describeAnnotatorTimes(annotatorTimes(items)).c_str());
    if (args.has("second")) {
        const auto other = alignItems(items, loadAnnotatedItems(args.value("second")));
        const AnnotatorAgreement a = annotatorAgreement(items, other);
        std::printf("\nbetween annotators:\n%s", a.describe().c_str());
        for (const auto &c : a.conflicts)
            std::printf("  conflict: line %zu, outputs %zu and %zu: first prefers %zu, second %zu\n", items[c.item].line, c.a,
                        c.b, c.firstSays < 0 ? c.a : c.b, c.firstSays < 0 ? c.b : c.a);
    }
    return 0;
}

int runScoreDataset(const std::vector<std::string> &argv)
{
    Args args(argv, {}, optionSet({kModelOptions, kScoringOptions, kServerOptions}));
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli score-dataset --model DIR (DATASET.jsonl | PROJECT.polar-project.jsonl) (rewards go "
                    "to the project file; an interrupted run resumes)");
    ProjectScoringOptions o;
    o.settings = scoringSettings(args);
    auto model = loadModel(args);
    auto project = PreferenceProject::openDatasetOrProject(args.positional()[0]);
    const std::string &dataset = project->dataset().path;
    for (const auto &bad : project->dataset().invalid)
        std::fprintf(stderr, "%s:%zu: %s (skipped)\n", dataset.c_str(), bad.line, bad.reason.c_str());
    ProgressBar bar("scoring items", project->size());
    o.progress = [&bar](size_t done, size_t) { bar.update(done); };
    size_t failed = 0;
    o.failed = [&](const std::string &error) {
        bar.clearLine();
        std::fprintf(stderr, "%s (not scored; run again to retry)\n", error.c_str());
        ++failed;
    };
    const size_t n = scoreProject(*model, *project, o);
    bar.finish();
    std::printf("scored %s; rewards saved in %s\n", counted(n, "item", "items").c_str(), project->path().c_str());
    if (failed)
        std::printf("%s not be scored; running the same command again scores only %s\n",
                    counted(failed, "item could", "items could").c_str(), failed == 1 ? "it" : "those");
    return project->dataset().invalid.empty() && failed == 0 ? 0 : 1;
}

int runExportAnnotated(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli export-annotated PROJECT.polar-project.jsonl -o ANNOTATED.jsonl";
    Args args(argv, {}, {"output"});
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string output = args.required("output", usage);
    refuseOverwritingSources(output, args.positional()[0]);
    const auto items = loadAnnotatedItems(args.positional()[0]);
    writeAnnotatedJsonl(output, items);
    std::printf("wrote %s to %s\n", counted(items.size(), "annotated record", "annotated records").c_str(), output.c_str());
    if (const size_t stale = staleCount(items))
        std::printf("%s \"rewards\": null and \"rewards_stale\": true (edited after scoring)\n",
                    (stale == 1 && items.size() == 1 ? std::string("it has") : counted(stale, "of them has", "of them have")).c_str());
    return 0;
}

int runReattach(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli reattach PROJECT.polar-project.jsonl --dataset EDITED.jsonl [-o NEW.polar-project.jsonl]";
    Args args(argv, {}, {"dataset", "output"});
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string project = args.positional()[0];
    const std::string dataset = args.required("dataset", usage);
    const std::string output = args.value("output", PreferenceProject::defaultProjectPath(dataset));
    const ReattachReport r = reattachProject(project, dataset, output);
    std::printf("wrote %s: %s\n", output.c_str(), r.describe().c_str());
    if (sameFile(output, project) || !fileExists(project))
        std::printf("the old journal was kept beside it (%s.before-reattach-*)\n", project.c_str());
    return r.lostLines.empty() ? 0 : 1;
}

int runRepairProject(const std::vector<std::string> &argv)
{
    const char *usage = "usage: polar-cli repair-project DAMAGED.polar-project.jsonl -o NEW.polar-project.jsonl";
    Args args(argv, {}, {"output"});
    if (args.positional().size() != 1)
        throw Error(usage);
    const std::string output = args.required("output", usage);
    const auto damage = repairProject(args.positional()[0], output);
    for (const auto &d : damage)
        std::printf("lost line %zu: %s\n", d.line, d.reason.c_str());
    std::printf("wrote %s with everything else (%s left out)\n", output.c_str(),
                counted(damage.size(), "damaged line", "damaged lines").c_str());
    return 0;
}

} // namespace polar::cli
