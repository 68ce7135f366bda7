// polar-cli pairs / eval / score-dataset / export-annotated: the dataset
// workflow without the GUI.
#include "cli_common.h"

#include "util/error.h"
#include "util/files.h"
#include "preferences/export.h"
#include "preferences/metrics.h"
#include "preferences/project.h"
#include "progress_bar.h"
#include "preferences/project_scoring.h"

#include <cstdio>

namespace polar::cli {

namespace {

bool isProjectFile(const std::string &path)
{
    const std::string suffix = ".polar-project.jsonl";
    return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A project file, or an annotated JSONL.
std::vector<AnnotatedItem> loadItems(const std::string &path)
{
    if (isProjectFile(path))
        return PreferenceProject::open(path, PreferenceProject::Mode::ReadOnly)->annotatedItems();
    return readAnnotatedJsonl(path);
}

} // namespace

int runPairs(const std::vector<std::string> &argv)
{
    Args args(argv, {"hard-only"}, {"output", "strategy", "format", "min-margin"});
    if (args.positional().size() != 1 || !args.has("output"))
        throw Error("usage: polar-cli pairs (PROJECT.polar-project.jsonl | ANNOTATED.jsonl) -o train.jsonl "
                    "--strategy all|best-vs-rest|adjacent|best-vs-worst [--format polar|polar-strings|trl] "
                    "[--min-margin X] [--hard-only]");
    ExportOptions o;
    o.strategy = parsePairStrategy(args.value("strategy", "all"));
    o.format = parsePairFormat(args.value("format", "polar"));
    if (args.has("min-margin"))
        o.minMargin = args.number("min-margin", 0.0);
    o.hardOnly = args.has("hard-only");
    const auto items = loadItems(args.positional()[0]);
    const ExportSummary s = exportPairs(items, args.value("output"), o);
    std::printf("wrote %s: %s\n", args.value("output").c_str(), s.describe().c_str());
    return 0;
}

int runEval(const std::vector<std::string> &argv)
{
    Args args(argv, {}, {"second"});
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli eval (PROJECT | ANNOTATED.jsonl) [--second OTHER_ANNOTATOR_PROJECT]");
    const auto items = loadItems(args.positional()[0]);
    std::printf("%s", agreementReport(items).describe().c_str());
    if (args.has("second")) {
        const auto other = loadItems(args.value("second"));
        if (other.size() != items.size())
            throw Error(args.value("second") + ": has " + std::to_string(other.size()) + " items, "
                        + args.positional()[0] + " has " + std::to_string(items.size()) + "; not the same dataset");
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
    Args args(argv, {}, {"model", "device", "dtype", "threads", "batch-tokens", "max-length", "max-response-length", "cut-side"});
    if (args.positional().size() != 1)
        throw Error("usage: polar-cli score-dataset --model DIR DATASET.jsonl (rewards go to its project file; "
                    "an interrupted run resumes)");
    auto project = PreferenceProject::openForDataset(args.positional()[0]);
    for (const auto &bad : project->dataset().invalid)
        std::fprintf(stderr, "%s:%zu: %s (skipped)\n", args.positional()[0].c_str(), bad.line, bad.reason.c_str());
    auto model = loadModel(args);
    ProjectScoringOptions o;
    o.encode = encodeOptions(args);
    o.batchTokens = args.integer("batch-tokens", o.batchTokens);
    ProgressBar bar("scoring items", project->size());
    o.progress = [&bar](size_t done, size_t) { bar.update(done); };
    const size_t n = scoreProject(*model, *project, o);
    bar.finish();
    std::printf("scored %zu items; rewards saved in %s\n", n, project->path().c_str());
    return project->dataset().invalid.empty() ? 0 : 1;
}

int runExportAnnotated(const std::vector<std::string> &argv)
{
    Args args(argv, {}, {"output"});
    if (args.positional().size() != 1 || !args.has("output"))
        throw Error("usage: polar-cli export-annotated PROJECT.polar-project.jsonl -o ANNOTATED.jsonl");
    const auto items = loadItems(args.positional()[0]);
    writeAnnotatedJsonl(args.value("output"), items);
    std::printf("wrote %zu annotated records to %s\n", items.size(), args.value("output").c_str());
    return 0;
}

} // namespace polar::cli
