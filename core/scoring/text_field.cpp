#include "scoring/text_field.h"

#include "util/error.h"

#include "util/json.h"

namespace polar {

TextField TextField::fromString(std::string s)
{
    TextField f;
    f.text = std::move(s);
    return f;
}

TextField TextField::fromMessages(std::vector<Message> m)
{
    TextField f;
    f.messages = std::move(m);
    f.isMessages = true;
    return f;
}

std::string TextField::flattened() const
{
    if (!isMessages)
        return text;
    std::string out;
    for (size_t i = 0; i < messages.size(); ++i) {
        if (i)
            out += '\n';
        out += messages[i].content;
    }
    return out;
}

bool TextField::operator==(const TextField &o) const
{
    if (isMessages != o.isMessages)
        return false;
    if (!isMessages)
        return text == o.text;
    if (messages.size() != o.messages.size())
        return false;
    for (size_t i = 0; i < messages.size(); ++i)
        if (messages[i].role != o.messages[i].role || messages[i].content != o.messages[i].content)
            return false;
    return true;
}

TextField textFieldFromJson(const Json &j, const std::string &where)
{
    if (j.is_string())
        return TextField::fromString(j.get<std::string>());
    if (!j.is_array())
        throw Error(where + ": expected a string or a list of {\"role\", \"content\"} messages, found "
                    + std::string(j.type_name()));
    std::vector<Message> msgs;
    for (size_t i = 0; i < j.size(); ++i) {
        const auto &m = j[i];
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (!m.is_object())
            throw Error(at + ": expected a message object, found " + std::string(m.type_name()));
        auto content = m.find("content");
        if (content == m.end())
            throw Error(at + ".content: missing");
        if (content->is_array())
            throw Error(at + ".content: a list of content parts; POLAR joins messages as text (xtuner's _encode), so give "
                             "each message's content as one string");
        if (!content->is_string())
            throw Error(at + ".content: must be a string, found " + std::string(content->type_name()));
        Message msg;
        msg.content = content->get<std::string>();
        auto role = m.find("role");
        if (role != m.end()) {
            if (!role->is_string())
                throw Error(at + ".role: not a string");
            msg.role = role->get<std::string>();
        }
        msgs.push_back(std::move(msg));
    }
    return TextField::fromMessages(std::move(msgs));
}

Json textFieldToJson(const TextField &f)
{
    if (!f.isMessages)
        return f.text;
    Json arr = Json::array();
    for (const auto &m : f.messages)
        arr.push_back({{"role", m.role}, {"content", m.content}});
    return arr;
}

Json textFieldToMessages(const TextField &f, const std::string &defaultRole)
{
    if (f.isMessages)
        return textFieldToJson(f);
    return Json::array({{{"role", defaultRole}, {"content", f.text}}});
}

} // namespace polar
