#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace polar::cli {

// "--name value", "--name=value", bare flags and positional arguments. Values
// are checked before they are narrowed: a number out of range, not finite or
// not a number at all is an error naming the option, never a wrapped value.
class Args
{
public:
    // `flags` take no value; every other --option takes one.
    Args(const std::vector<std::string> &argv, const std::set<std::string> &flags,
         const std::set<std::string> &options);

    bool has(const std::string &name) const { return m_values.count(name) > 0; }
    std::string value(const std::string &name, const std::string &fallback = {}) const;
    // The value of an option that must be given: "--name is required (usage)".
    std::string required(const std::string &name, const std::string &usage) const;
    // An integer in [lo, hi]: "--name: 4294967301 is out of range (1..1024)".
    int64_t integer(const std::string &name, int64_t fallback, int64_t lo, int64_t hi) const;
    // A finite number.
    double number(const std::string &name, double fallback) const;
    const std::vector<std::string> &positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

// Runs `f`, prefixing a polar::Error's message with the option it came from:
// core names fields and values, the CLI adds its flag names at the boundary.
template <typename F>
auto forOption(const char *option, F &&f) -> decltype(f());

} // namespace polar::cli

#include "util/error.h"

template <typename F>
auto polar::cli::forOption(const char *option, F &&f) -> decltype(f())
{
    try {
        return f();
    } catch (const polar::Error &e) {
        throw polar::Error(std::string("--") + option + ": " + e.what());
    }
}
