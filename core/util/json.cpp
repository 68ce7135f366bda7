#include "util/json.h"

#include "util/error.h"

#include <cmath>
#include <unordered_map>

namespace polar {

namespace {

// A SAX consumer that builds the document bottom-up: each container collects
// its children in a vector and becomes a Json value only when it closes, so
// no key is ever searched for in a half-built ordered object.
class DomBuilder
{
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    Json result;
    std::string error;

    bool null() { return put(Json(nullptr)); }
    bool boolean(bool v) { return put(Json(v)); }
    bool number_integer(number_integer_t v) { return put(Json(v)); }
    bool number_unsigned(number_unsigned_t v) { return put(Json(v)); }
    bool number_float(number_float_t v, const string_t &) { return put(Json(v)); }
    bool string(string_t &v) { return put(Json(std::move(v))); }
    bool binary(binary_t &v) { return put(Json::binary(std::move(v))); }

    bool start_object(std::size_t) { return open(true); }
    bool key(string_t &k)
    {
        m_stack.back().key = std::move(k);
        return true;
    }
    bool end_object()
    {
        Frame f = std::move(m_stack.back());
        m_stack.pop_back();
        return put(objectFromPairs(std::move(f.pairs)));
    }
    bool start_array(std::size_t) { return open(false); }
    bool end_array()
    {
        Frame f = std::move(m_stack.back());
        m_stack.pop_back();
        Json arr = Json::array();
        auto &vec = arr.get_ref<Json::array_t &>();
        vec = std::move(f.items);
        return put(std::move(arr));
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &e)
    {
        error = e.what();
        return false;
    }

private:
    struct Frame
    {
        bool object = false;
        std::string key;
        std::vector<std::pair<std::string, Json>> pairs;
        std::unordered_map<std::string, size_t> index; // key -> position, for duplicates
        std::vector<Json> items;
    };

    bool open(bool object)
    {
        if (int(m_stack.size()) >= kMaxJsonDepth) {
            error = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
            return false;
        }
        m_stack.emplace_back();
        m_stack.back().object = object;
        return true;
    }

    bool put(Json v)
    {
        if (m_stack.empty()) {
            result = std::move(v);
            return true;
        }
        Frame &f = m_stack.back();
        if (!f.object) {
            f.items.push_back(std::move(v));
            return true;
        }
        auto [it, inserted] = f.index.emplace(f.key, f.pairs.size());
        if (inserted)
            f.pairs.emplace_back(std::move(f.key), std::move(v));
        else
            f.pairs[it->second].second = std::move(v); // the last duplicate wins, as in nlohmann
        return true;
    }

    std::vector<Frame> m_stack;
};

} // namespace

bool tryParseJson(std::string_view text, Json &out, std::string &why)
{
    DomBuilder builder;
    bool ok = false;
    try {
        ok = Json::sax_parse(text.begin(), text.end(), &builder);
    } catch (const Json::exception &e) {
        builder.error = e.what();
    }
    if (ok) {
        out = std::move(builder.result);
        return true;
    }
    why = builder.error;
    if (why.rfind("nested deeper", 0) == 0)
        return false;
    // nlohmann's messages start with their own error id; keep the part after it.
    if (const size_t at = why.find("number overflow"); at != std::string::npos) {
        why = "number out of range (" + why.substr(at) + ")";
        return false;
    }
    const size_t at = why.find("parse error");
    why = "not valid JSON (" + (at == std::string::npos ? why : why.substr(at)) + ")";
    return false;
}

Json parseJson(std::string_view text, const std::string &where)
{
    Json out;
    std::string why;
    if (!tryParseJson(text, out, why))
        throw Error(where + ": " + why);
    return out;
}

Json objectFromPairs(std::vector<std::pair<std::string, Json>> pairs)
{
    Json obj = Json::object();
    auto &map = obj.get_ref<Json::object_t &>();
    // ordered_map is a vector of pairs underneath; appending to it directly
    // skips the linear search that emplace() does for every key.
    auto &vec = static_cast<std::vector<std::pair<const std::string, Json>> &>(map);
    vec.reserve(pairs.size());
    for (auto &[k, v] : pairs)
        vec.emplace_back(std::move(k), std::move(v));
    return obj;
}

const char *jsonTypeName(const Json &v)
{
    if (v.is_number_integer())
        return "integer";
    if (v.is_number_float())
        return "number";
    return v.type_name();
}

const Json *findField(const Json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const Json &requireField(const Json &object, const char *key, const std::string &where)
{
    const Json *v = findField(object, key);
    if (!v || v->is_null())
        throw Error(where + ": missing field '" + key + "'");
    return *v;
}

int64_t asInteger(const Json &v, const std::string &what)
{
    if (v.is_number_unsigned()) {
        if (v.get<uint64_t>() > uint64_t(INT64_MAX))
            throw Error(what + " is out of range: " + v.dump());
        return int64_t(v.get<uint64_t>());
    }
    if (v.is_number_integer())
        return v.get<int64_t>();
    throw Error(what + " must be an integer, found " + jsonTypeName(v));
}

double asNumber(const Json &v, const std::string &what)
{
    if (!v.is_number())
        throw Error(what + " must be a number, found " + jsonTypeName(v));
    const double d = v.get<double>();
    if (!std::isfinite(d))
        throw Error(what + " must be finite");
    return d;
}

std::string asString(const Json &v, const std::string &what)
{
    if (!v.is_string())
        throw Error(what + " must be a string, found " + jsonTypeName(v));
    return v.get<std::string>();
}

static std::string fieldName(const std::string &where, const char *key)
{
    return where + ": field '" + key + "'";
}

std::string stringField(const Json &o, const char *key, const std::string &where)
{
    return asString(requireField(o, key, where), fieldName(where, key));
}

std::string optionalString(const Json &o, const char *key, const std::string &where, std::string fallback)
{
    const Json *v = findField(o, key);
    return !v || v->is_null() ? fallback : asString(*v, fieldName(where, key));
}

int64_t integerField(const Json &o, const char *key, const std::string &where)
{
    return asInteger(requireField(o, key, where), fieldName(where, key));
}

int64_t optionalInteger(const Json &o, const char *key, const std::string &where, int64_t fallback)
{
    const Json *v = findField(o, key);
    return !v || v->is_null() ? fallback : asInteger(*v, fieldName(where, key));
}

double numberField(const Json &o, const char *key, const std::string &where)
{
    return asNumber(requireField(o, key, where), fieldName(where, key));
}

double optionalNumber(const Json &o, const char *key, const std::string &where, double fallback)
{
    const Json *v = findField(o, key);
    return !v || v->is_null() ? fallback : asNumber(*v, fieldName(where, key));
}

bool optionalBool(const Json &o, const char *key, const std::string &where, bool fallback)
{
    const Json *v = findField(o, key);
    if (!v || v->is_null())
        return fallback;
    if (!v->is_boolean())
        throw Error(fieldName(where, key) + " must be true or false, found " + jsonTypeName(*v));
    return v->get<bool>();
}

} // namespace polar
