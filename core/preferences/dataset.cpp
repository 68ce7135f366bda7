#include "preferences/dataset.h"

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/jsonl.h"

#include <algorithm>

namespace polar {

namespace {

bool isRecordField(const std::string &key)
{
    return key == "prompt" || key == "reference" || key == "outputs" || key == "output" || key == "chosen"
        || key == "rejected";
}

} // namespace

long DatasetImport::indexOfLine(size_t line) const
{
    // Records are in file order, so their lines are increasing.
    auto it = std::lower_bound(records.begin(), records.end(), line,
                               [](const DatasetRecord &r, size_t l) { return r.line < l; });
    return it != records.end() && it->line == line ? long(it - records.begin()) : -1;
}

std::string recordContentHash(const DatasetRecord &r)
{
    Json outputs = Json::array();
    for (const auto &o : r.outputs)
        outputs.push_back(textFieldToJson(o));
    const Json canonical = Json::array({int(r.kind), textFieldToJson(r.prompt), textFieldToJson(r.reference), outputs});
    return fingerprintHex(fingerprint(canonical.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

DatasetRecord parseDatasetRecord(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": expected a JSON object, found " + std::string(jsonTypeName(j)));
    for (const char *key : {"prompt", "reference"})
        if (!j.contains(key))
            throw Error(where + ": missing field '" + key + "'");
    DatasetRecord r;
    r.prompt = textFieldFromJson(j["prompt"], where + ": field 'prompt'");
    r.reference = textFieldFromJson(j["reference"], where + ": field 'reference'");
    const bool many = j.contains("outputs"), one = j.contains("output"), pair = j.contains("chosen") || j.contains("rejected");
    if (int(many) + int(one) + int(pair) != 1)
        throw Error(where + ": needs exactly one of 'outputs', 'output', or 'chosen' + 'rejected'");
    std::vector<std::pair<std::string, Json>> extra;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!isRecordField(it.key()))
            extra.emplace_back(it.key(), it.value());
    r.extraFields = objectFromPairs(std::move(extra)).dump(-1, ' ', false, Json::error_handler_t::replace);
    if (const Json *id = findField(j, "id")) {
        if (id->is_string())
            r.id = id->get<std::string>();
        else if (id->is_number_integer())
            r.id = id->dump();
    }
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
    r.contentHash = recordContentHash(r);
    return r;
}

DatasetImport importDataset(const std::string &path)
{
    DatasetImport out;
    out.path = path;
    const std::string data = readWholeFile(path);
    out.fileBytes = data.size();
    out.fileHash = fingerprintHex(fingerprint(data));
    for (auto &line : parseJsonlLines(data)) {
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
    if (out.records.empty() && out.invalid.empty())
        throw Error(path + ": holds no records (an empty dataset)");
    return out;
}

} // namespace polar
