#pragma once

#include "scoring/text_field.h"

#include "util/json.h"

#include <string>
#include <vector>

namespace polar {

// A record of `polar-cli score`'s input: {prompt, reference, output},
// {prompt, reference, outputs: [...]} or a preference pair {prompt,
// reference, chosen, rejected} (POLAR's train.jsonl), each field a string or
// a message list.
struct ScoreRecord
{
    enum class Shape { Output, Outputs, ChosenRejected };
    TextField prompt, reference;
    std::vector<TextField> outputs; // ChosenRejected: {chosen, rejected}
    Shape shape = Shape::Output;
};

// Where the result for output `index` of a record of this shape goes:
// `one` for an "output" record, `many`[index] for "outputs", and
// "chosen_`one`" / "rejected_`one`" for a pair ("reward" -> "chosen_reward").
void putResult(Json &record, ScoreRecord::Shape shape, size_t index, const char *one, const char *many, Json value);

// Throws polar::Error naming `where` and the field.
ScoreRecord parseScoreRecord(const Json &j, const std::string &where);

} // namespace polar
