#include "cli_args.h"

#include "util/error.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace polar::cli {

Args::Args(const std::vector<std::string> &argv, const std::set<std::string> &flags,
           const std::set<std::string> &options)
{
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string &a = argv[i];
        if (a == "-o") {
            if (i + 1 >= argv.size())
                throw Error("-o needs a file name");
            m_values["output"] = argv[++i];
            continue;
        }
        if (a.rfind("--", 0) != 0 || a == "--") {
            m_positional.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        const size_t eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (flags.count(name)) {
            if (inlineValue)
                throw Error("--" + name + " takes no value");
            m_values[name] = "1";
        } else if (options.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= argv.size())
                    throw Error("--" + name + " needs a value");
                value = argv[++i];
            }
            m_values[name] = value;
        } else {
            throw Error("unknown option --" + name);
        }
    }
}

std::string Args::value(const std::string &name, const std::string &fallback) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

std::string Args::required(const std::string &name, const std::string &usage) const
{
    if (!has(name))
        throw Error("--" + name + " is required\n" + usage);
    return value(name);
}

int64_t Args::integer(const std::string &name, int64_t fallback, int64_t lo, int64_t hi) const
{
    if (!has(name))
        return fallback;
    const std::string v = value(name);
    errno = 0;
    char *end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || end != v.c_str() + v.size() || std::isspace(static_cast<unsigned char>(v[0])))
        throw Error("--" + name + ": '" + v + "' is not an integer");
    if (errno == ERANGE || n < lo || n > hi)
        throw Error("--" + name + ": " + v + " is out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return n;
}

double Args::number(const std::string &name, double fallback) const
{
    if (!has(name))
        return fallback;
    const std::string v = value(name);
    char *end = nullptr;
    const double n = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || std::isspace(static_cast<unsigned char>(v[0])))
        throw Error("--" + name + ": '" + v + "' is not a number");
    if (!std::isfinite(n))
        throw Error("--" + name + ": '" + v + "' is not a finite number");
    return n;
}

} // namespace polar::cli
