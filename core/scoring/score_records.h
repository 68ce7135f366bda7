#pragma once

#include "scoring/text_field.h"

#include "util/json.h"

#include <string>
#include <vector>

namespace polar {

// A record of `polar-cli score`'s input: {prompt, reference, output} or
// {prompt, reference, outputs: [...]}, each field a string or a message list.
struct ScoreRecord
{
    TextField prompt, reference;
    std::vector<TextField> outputs;
    bool manyOutputs = false; // "outputs" (a list) rather than "output"
};

// Throws polar::Error naming `where` and the field.
ScoreRecord parseScoreRecord(const Json &j, const std::string &where);

} // namespace polar
