#include "cli_common.h"
#include "progress_bar.h"

#include "model/demo_model.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#ifdef POLAR_HAVE_REMOTE
#include "remote/remote_scorer.h"
#endif

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>

namespace polar::cli {

std::set<std::string> optionSet(std::initializer_list<std::set<std::string>> parts, std::set<std::string> extra)
{
    for (const auto &p : parts)
        extra.insert(p.begin(), p.end());
    return extra;
}

namespace {

std::unique_ptr<RewardModel> connectModel(const Args &args, const std::string &dir)
{
#ifdef POLAR_HAVE_REMOTE
    for (const char *local : {"device", "dtype", "gpu-memory-fraction"})
        if (args.has(local))
            throw Error(std::string("--") + local + ": has no effect with --server (the server runs the model)");
    ServerSpec spec = forOption("server", [&] { return parseServerSpec(args.value("server")); });
    const char *envKey = std::getenv("POLAR_API_KEY");
    spec.apiKey = args.value("api-key", envKey ? envKey : "");
    spec.model = args.value("server-model", "");
    spec.concurrency = int(args.integer("concurrency", spec.concurrency, 1, 256));
    spec.batchSize = int(args.integer("request-batch", spec.batchSize, 1, 4096));
    spec.timeoutSeconds = args.number("timeout", spec.timeoutSeconds);
    spec.retries = int(args.integer("retries", spec.retries, 0, 100));
    spec.caFile = args.value("ca-file", "");
    if (!spec.caFile.empty() && !fileExists(spec.caFile))
        throw Error("--ca-file: " + spec.caFile + " does not exist");
    auto model = connectToServer(spec, dir);
    std::fprintf(stderr, "scoring on %s, encoding with %s's tokenizer\n", model->info().remote.c_str(), model->info().name.c_str());
    return model;
#else
    (void)args;
    (void)dir;
    throw Error("--server: this build has no HTTP client (install libcpp-httplib-dev and build again)");
#endif
}

} // namespace

std::unique_ptr<RewardModel> loadModel(const Args &args)
{
    std::string dir = args.value("model", "");
    if (dir.empty()) {
        dir = demoModelDirectory();
        if (args.has("server"))
            std::fprintf(stderr, "no --model: encoding with the embedded demo model's tokenizer; for a POLAR server give\n"
                                 "--model DIR, the served model's directory (config.json and tokenizer; weights are not read)\n");
        else
            std::fprintf(stderr, "no --model: using the embedded demo model (%s)\n%s\n", dir.c_str(), demoModelNotice());
    }
    if (args.has("server"))
        return connectModel(args, dir);
    if (args.has("threads"))
        setComputeThreads(int(args.integer("threads", 1, 1, 1024)));
    LoadOptions lo;
    lo.device = forOption("device", [&] { return parseDevice(args.value("device", "auto")); });
    lo.dtype = forOption("dtype", [&] { return parseComputeDType(args.value("dtype", "auto")); });
    if (args.has("gpu-memory-fraction")) {
        lo.gpuMemoryFraction = args.number("gpu-memory-fraction", 0);
        if (!(lo.gpuMemoryFraction > 0 && lo.gpuMemoryFraction <= 1))
            throw Error("--gpu-memory-fraction: must be in (0, 1], got " + args.value("gpu-memory-fraction"));
    }
    ProgressBar bar("loading weights (MiB)", 0);
    lo.progress = [&bar](uint64_t done, uint64_t total) {
        bar.setTotal(size_t(total >> 20));
        bar.update(size_t(done >> 20));
    };
    auto model = RewardModel::load(dir, lo);
    bar.finish();
    const auto &info = model->info();
    std::fprintf(stderr, "loaded %s: %lld parameters on %s in %s (%.2fs)\n", info.name.c_str(),
                 static_cast<long long>(info.parameterCount), info.device.c_str(), info.dtype.c_str(), info.loadSeconds);
    return model;
}

ScoringSettings scoringSettings(const Args &args)
{
    ScoringSettings s;
    s.encode.maxLength = int(args.integer("max-length", s.encode.maxLength, ScoringSettings::kMinMaxLength, ScoringSettings::kMaxMaxLength));
    s.encode.maxResponseLength = int(args.integer("max-response-length", s.encode.maxResponseLength, 1, ScoringSettings::kMaxMaxLength));
    s.encode.cutSide = forOption("cut-side", [&] { return parseCutSide(args.value("cut-side", "left")); });
    s.batchTokens = args.integer("batch-tokens", s.batchTokens, 1, ScoringSettings::kMaxBatchTokens);
    s.validate();
    return s;
}

std::vector<JsonlLine> readInputLines(const std::string &path)
{
    if (path != "-")
        return readJsonl(path);
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad())
        throw Error("<stdin>: cannot read");
    return parseJsonlLines(data);
}

std::string inputName(const std::string &path)
{
    return path == "-" ? "<stdin>" : path;
}

bool writesToStdout(const Args &args)
{
    return !args.has("output") || args.value("output") == "-";
}

void checkOutputOption(const Args &args, const std::string &option, const std::string &inputPath)
{
    if (!args.has(option) || (option == "output" && writesToStdout(args)))
        return;
    const std::string out = args.value(option);
    if (!inputPath.empty())
        refuseOverwritingInput(out, inputPath, "input");
    checkWritable(out);
}

void writeRecords(const Args &args, const std::vector<Json> &records, const std::string &inputPath)
{
    if (!writesToStdout(args)) {
        refuseOverwritingInput(args.value("output"), inputPath, "input");
        writeJsonlAtomically(args.value("output"), records);
        return;
    }
    for (const auto &r : records)
        std::cout << r.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    std::cout.flush();
}

Json failedRecord(const Json &record, const std::string &where, const std::string &message)
{
    std::fprintf(stderr, "%s\n", (message.rfind(where, 0) == 0 ? message : where + ": " + message).c_str());
    Json out = record.is_object() ? record : Json{{"value", record}};
    out["error"] = message;
    return out;
}

std::string shippedPath(const std::string &installed, const std::string &inSource)
{
    const std::string exe = executableDirectory();
    if (!exe.empty()) {
        const std::string path = joinPath(exe, std::string(POLAR_BIN_TO_DATADIR) + "/" + installed);
        if (fileExists(path) || directoryExists(path))
            return path;
    }
    return joinPath(POLAR_SOURCE_DIR, inSource);
}

} // namespace polar::cli
