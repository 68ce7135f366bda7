#include "cli_common.h"

#include "util/error.h"
#include "util/jsonl.h"

#include <cstdio>
#include <iostream>

namespace polar::cli {

std::unique_ptr<RewardModel> loadModel(const Args &args)
{
    if (!args.has("model"))
        throw Error("--model DIR is required");
    if (args.has("threads"))
        setComputeThreads(int(args.integer("threads", 1)));
    LoadOptions lo;
    lo.device = parseDevice(args.value("device", "auto"));
    lo.dtype = parseDType(args.value("dtype", "auto"));
    auto model = RewardModel::load(args.value("model"), lo);
    const auto &info = model->info();
    std::fprintf(stderr, "loaded %s: %lld parameters on %s in %s (%.2fs)\n", info.name.c_str(),
                 static_cast<long long>(info.parameterCount), info.device.c_str(), info.dtype.c_str(), info.loadSeconds);
    return model;
}

CutSide parseCutSide(const std::string &s)
{
    if (s == "left")
        return CutSide::Left;
    if (s == "right")
        return CutSide::Right;
    throw Error("--cut-side: '" + s + "' is not left or right");
}

EncodeOptions encodeOptions(const Args &args)
{
    EncodeOptions o;
    o.maxLength = int(args.integer("max-length", o.maxLength));
    o.maxResponseLength = int(args.integer("max-response-length", o.maxResponseLength));
    o.cutSide = parseCutSide(args.value("cut-side", "left"));
    if (o.maxLength < 5)
        throw Error("--max-length must be at least 5");
    if (o.maxResponseLength < 1)
        throw Error("--max-response-length must be positive");
    return o;
}

void writeRecords(const Args &args, const std::vector<Json> &records)
{
    if (args.has("output")) {
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

} // namespace polar::cli
