#include "model/model_directory.h"

#include "util/error.h"
#include "util/files.h"

#include <vector>

namespace polar {

namespace {

std::string trimmed(const std::string &s)
{
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string withoutTrailingSlashes(std::string dir)
{
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    return dir;
}

} // namespace

std::string resolveModelDirectory(const std::string &directory)
{
    const std::string dir = withoutTrailingSlashes(directory);
    const std::string snapshots = joinPath(dir, "snapshots");
    if (fileExists(joinPath(dir, "config.json")) || !directoryExists(snapshots))
        return directory;
    const std::string ref = joinPath(dir, "refs/main");
    if (fileExists(ref)) {
        const std::string revision = trimmed(readWholeFile(ref));
        const std::string snapshot = joinPath(snapshots, revision);
        if (revision.empty() || revision == "." || revision == ".." || revision.find('/') != std::string::npos
            || !directoryExists(snapshot))
            throw Error(ref + ": names revision '" + revision + "', but " + snapshots
                        + " has no such folder (an interrupted download?); open a folder under snapshots/ directly");
        return snapshot;
    }
    std::vector<std::string> models;
    for (const auto &name : foldersIn(snapshots))
        if (fileExists(joinPath(joinPath(snapshots, name), "config.json")))
            models.push_back(name);
    if (models.size() == 1)
        return joinPath(snapshots, models[0]);
    if (models.size() > 1) {
        std::string list;
        for (const auto &m : models)
            list += (list.empty() ? "" : ", ") + m;
        throw Error(dir + ": a Hugging Face cache folder with " + std::to_string(models.size())
                    + " snapshots and no refs/main to choose between them (" + list + "); open one of them under snapshots/");
    }
    return directory;
}

std::string modelNameOf(std::string directory)
{
    const std::string dir = withoutTrailingSlashes(directory);
    // .../models--ORG--NAME/snapshots/<revision>: NAME
    const std::string parent = directoryOf(dir);
    if (baseName(parent) == "snapshots") {
        const std::string repo = baseName(directoryOf(parent));
        const size_t sep = repo.rfind("--"); // at 6 or later when repo starts with "models--"
        if (repo.rfind("models--", 0) == 0 && sep + 2 < repo.size())
            return repo.substr(sep + 2);
    }
    return baseName(dir);
}

} // namespace polar
