#include "scoring/score_records.h"

#include "util/error.h"

namespace polar {

ScoreRecord parseScoreRecord(const Json &j, const std::string &where)
{
    if (!j.is_object())
        throw Error(where + ": expected a JSON object, found " + std::string(j.type_name()));
    ScoreRecord r;
    for (const char *key : {"prompt", "reference"})
        if (!j.contains(key))
            throw Error(where + ": missing field '" + key + "'");
    r.prompt = textFieldFromJson(j["prompt"], where + ": field 'prompt'");
    r.reference = textFieldFromJson(j["reference"], where + ": field 'reference'");
    const bool one = j.contains("output"), many = j.contains("outputs");
    if (one == many)
        throw Error(where + (one ? ": has both 'output' and 'outputs'; give one" : ": missing field 'output' (or 'outputs')"));
    if (one) {
        r.outputs.push_back(textFieldFromJson(j["output"], where + ": field 'output'"));
    } else {
        const auto &arr = j["outputs"];
        if (!arr.is_array())
            throw Error(where + ": field 'outputs' must be a list, found " + std::string(arr.type_name()));
        r.manyOutputs = true;
        for (size_t i = 0; i < arr.size(); ++i)
            r.outputs.push_back(textFieldFromJson(arr[i], where + ": field 'outputs[" + std::to_string(i) + "]'"));
    }
    return r;
}

} // namespace polar
