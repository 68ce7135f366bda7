#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace polar::cli {

// "--name value", "--name=value", bare flags and positional arguments.
class Args
{
public:
    // `flags` take no value; every other --option takes one.
    Args(const std::vector<std::string> &argv, const std::set<std::string> &flags,
         const std::set<std::string> &options);

    bool has(const std::string &name) const { return m_values.count(name) > 0; }
    std::string value(const std::string &name, const std::string &fallback = {}) const;
    long long integer(const std::string &name, long long fallback) const;
    double number(const std::string &name, double fallback) const;
    const std::vector<std::string> &positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

} // namespace polar::cli
