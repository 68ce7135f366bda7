#include "preferences/dataset.h"

#include "util/error.h"
#include "util/jsonl.h"

namespace polar {

DatasetRecord parseDatasetRecord(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": expected a JSON object, found " + std::string(j.type_name()));
    for (const char *key : {"prompt", "reference"})
        if (!j.contains(key))
            throw Error(where + ": missing field '" + key + "'");
    DatasetRecord r;
    r.prompt = textFieldFromJson(j["prompt"], where + ": field 'prompt'");
    r.reference = textFieldFromJson(j["reference"], where + ": field 'reference'");
    const bool many = j.contains("outputs"), one = j.contains("output"), pair = j.contains("chosen") || j.contains("rejected");
    if (int(many) + int(one) + int(pair) != 1)
        throw Error(where + ": needs exactly one of 'outputs', 'output', or 'chosen' + 'rejected'");
    Json extra = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "prompt" && it.key() != "reference" && it.key() != "outputs" && it.key() != "output"
            && it.key() != "chosen" && it.key() != "rejected")
            extra[it.key()] = it.value();
    r.extraFields = extra.dump();
    if (many) {
        r.kind = DatasetRecord::Kind::Outputs;
        const Json &arr = j["outputs"];
        if (!arr.is_array() || arr.empty())
            throw Error(where + ": field 'outputs' must be a non-empty list");
        for (size_t i = 0; i < arr.size(); ++i)
            r.outputs.push_back(textFieldFromJson(arr[i], where + ": field 'outputs[" + std::to_string(i) + "]'"));
    } else if (one) {
        r.kind = DatasetRecord::Kind::Output;
        r.outputs.push_back(textFieldFromJson(j["output"], where + ": field 'output'"));
    } else {
        if (!j.contains("chosen") || !j.contains("rejected"))
            throw Error(where + ": has '" + std::string(j.contains("chosen") ? "chosen" : "rejected") + "' without '"
                        + (j.contains("chosen") ? "rejected" : "chosen") + "'");
        r.kind = DatasetRecord::Kind::ChosenRejected;
        r.outputs.push_back(textFieldFromJson(j["chosen"], where + ": field 'chosen'"));
        r.outputs.push_back(textFieldFromJson(j["rejected"], where + ": field 'rejected'"));
    }
    return r;
}

DatasetImport importDataset(const std::string &path)
{
    DatasetImport out;
    out.path = path;
    for (const auto &line : readJsonl(path)) {
        const std::string where = path + ":" + std::to_string(line.number);
        if (!line.ok()) {
            out.invalid.push_back({line.number, line.error});
            continue;
        }
        try {
            DatasetRecord r = parseDatasetRecord(line.value, where);
            r.line = line.number;
            out.records.push_back(std::move(r));
        } catch (const Error &e) {
            std::string why = e.what();
            if (why.rfind(where + ": ", 0) == 0)
                why = why.substr(where.size() + 2);
            out.invalid.push_back({line.number, why});
        }
    }
    return out;
}

} // namespace polar
