#pragma once

#include "util/json.h"

#include <string>
#include <vector>

namespace polar {

struct Message
{
    std::string role;
    std::string content;
};

// A prompt, reference or output: a plain string or a list of chat turns.
// POLAR flattens a list by joining the contents with "\n".
struct TextField
{
    std::string text;
    std::vector<Message> messages;
    bool isMessages = false;

    static TextField fromString(std::string s);
    static TextField fromMessages(std::vector<Message> m);

    std::string flattened() const;
    bool operator==(const TextField &o) const;
};

// Parses a JSON string or [{"role","content"}...]; throws polar::Error naming `where`.
TextField textFieldFromJson(const Json &j, const std::string &where);
Json textFieldToJson(const TextField &f);
// The POLAR fine-tuning format wants message lists; a plain string becomes one turn.
Json textFieldToMessages(const TextField &f, const std::string &defaultRole);

} // namespace polar
