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
    const bool pair = j.contains("chosen") || j.contains("rejected");
    if (int(one) + int(many) + int(pair) > 1)
        throw Error(where + ": has more than one of 'output', 'outputs' and 'chosen'/'rejected'; give one");
    if (!one && !many && !pair)
        throw Error(where + ": missing field 'output' (or 'outputs', or 'chosen' and 'rejected')");
    if (pair) {
        for (const char *key : {"chosen", "rejected"})
            if (!j.contains(key))
                throw Error(where + ": missing field '" + key + "' (a preference pair needs both 'chosen' and 'rejected')");
        r.shape = ScoreRecord::Shape::ChosenRejected;
        r.outputs.push_back(textFieldFromJson(j["chosen"], where + ": field 'chosen'"));
        r.outputs.push_back(textFieldFromJson(j["rejected"], where + ": field 'rejected'"));
    } else if (one) {
        r.outputs.push_back(textFieldFromJson(j["output"], where + ": field 'output'"));
    } else {
        const auto &arr = j["outputs"];
        if (!arr.is_array())
            throw Error(where + ": field 'outputs' must be a list, found " + std::string(arr.type_name()));
        r.shape = ScoreRecord::Shape::Outputs;
        for (size_t i = 0; i < arr.size(); ++i)
            r.outputs.push_back(textFieldFromJson(arr[i], where + ": field 'outputs[" + std::to_string(i) + "]'"));
    }
    return r;
}

void putResult(Json &record, ScoreRecord::Shape shape, size_t index, const char *one, const char *many, Json value)
{
    switch (shape) {
    case ScoreRecord::Shape::Output: record[one] = std::move(value); return;
    case ScoreRecord::Shape::Outputs: record[many][index] = std::move(value); return;
    case ScoreRecord::Shape::ChosenRejected:
        record[std::string(index == 0 ? "chosen_" : "rejected_") + one] = std::move(value);
        return;
    }
}

} // namespace polar
