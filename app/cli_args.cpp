#include "cli_args.h"

#include "util/error.h"

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

long long Args::integer(const std::string &name, long long fallback) const
{
    if (!has(name))
        return fallback;
    const std::string v = value(name);
    try {
        size_t used = 0;
        const long long n = std::stoll(v, &used);
        if (used == v.size())
            return n;
    } catch (...) {
    }
    throw Error("--" + name + ": '" + v + "' is not an integer");
}

double Args::number(const std::string &name, double fallback) const
{
    if (!has(name))
        return fallback;
    const std::string v = value(name);
    try {
        size_t used = 0;
        const double n = std::stod(v, &used);
        if (used == v.size())
            return n;
    } catch (...) {
    }
    throw Error("--" + name + ": '" + v + "' is not a number");
}

} // namespace polar::cli
