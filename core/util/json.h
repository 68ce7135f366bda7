#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polar {

// Objects keep their keys in file order, so a record written back reads like
// the one that came in.
using Json = nlohmann::ordered_json;

// How deeply arrays and objects may nest in anything this program reads. Real
// inputs nest a few levels (a record, a message list, a message); a line of a
// million brackets must fail with a message, not overflow the stack.
constexpr int kMaxJsonDepth = 64;

// Parses `text` in time linear in its size (nlohmann's ordered objects look
// keys up linearly, so an object of n keys parses in n^2 through the library's
// own DOM builder), with nesting limited to kMaxJsonDepth. Duplicate keys keep
// the last value, as nlohmann does. Throws polar::Error "WHERE: not valid JSON
// (...)" or "WHERE: nested deeper than 64 levels" or "WHERE: number out of range".
Json parseJson(std::string_view text, const std::string &where);
// The same without throwing: false with `why` set ("not valid JSON (...)").
bool tryParseJson(std::string_view text, Json &out, std::string &why);

// Builds an object from key/value pairs without the per-key linear search of
// operator[] (keys must be distinct).
Json objectFromPairs(std::vector<std::pair<std::string, Json>> pairs);

// Typed access to the fields of an object, each failure a polar::Error naming
// `where` and the field: "WHERE: field 'x' must be an integer, found string".
// `optional` variants return the fallback when the field is absent or null.
const Json *findField(const Json &object, const char *key);
const Json &requireField(const Json &object, const char *key, const std::string &where);
std::string stringField(const Json &object, const char *key, const std::string &where);
std::string optionalString(const Json &object, const char *key, const std::string &where, std::string fallback = {});
int64_t integerField(const Json &object, const char *key, const std::string &where);
int64_t optionalInteger(const Json &object, const char *key, const std::string &where, int64_t fallback);
double numberField(const Json &object, const char *key, const std::string &where);
double optionalNumber(const Json &object, const char *key, const std::string &where, double fallback);
bool optionalBool(const Json &object, const char *key, const std::string &where, bool fallback);
// The value as a type, or a polar::Error naming `what` ("WHERE: field 'x'").
int64_t asInteger(const Json &value, const std::string &what);
double asNumber(const Json &value, const std::string &what);
std::string asString(const Json &value, const std::string &what);
const char *jsonTypeName(const Json &value); // "string", "integer", "number", ...

} // namespace polar
