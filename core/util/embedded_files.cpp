#include "util/embedded_files.h"

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace polar {

namespace {

void makeDirectories(const std::string &path)
{
    for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
        const std::string prefix = path.substr(0, slash);
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
            throw Error(prefix + ": cannot create the folder (" + std::strerror(errno) + ")");
        if (slash == std::string::npos)
            return;
    }
}

void removeTree(const std::string &dir, const std::vector<EmbeddedFile> &files)
{
    std::vector<std::string> names;
    for (const auto &f : files)
        names.push_back(f.name);
    removeFolder(dir, names);
}

bool complete(const std::string &dir, const std::vector<EmbeddedFile> &files)
{
    for (const auto &f : files) {
        struct stat st {};
        if (::stat(joinPath(dir, f.name).c_str(), &st) != 0 || uint64_t(st.st_size) != f.bytes.size())
            return false;
    }
    return true;
}

} // namespace

std::string userCacheDirectory()
{
    if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
        return joinPath(xdg, "polar-studio");
    if (const char *home = std::getenv("HOME"); home && *home)
        return joinPath(joinPath(home, ".cache"), "polar-studio");
    throw Error("neither XDG_CACHE_HOME nor HOME is set: no cache folder to unpack into");
}

std::string unpackEmbeddedFiles(const std::vector<EmbeddedFile> &files, const std::string &name)
{
    uint64_t h = fingerprint(name);
    for (const auto &f : files)
        h = fingerprint(f.bytes, fingerprint(f.name, h));
    const std::string parent = joinPath(userCacheDirectory(), "models");
    const std::string target = joinPath(parent, name + "-" + fingerprintHex(h).substr(0, 12));
    if (complete(target, files))
        return target;
    makeDirectories(parent);
    removeTree(target, files); // an unpacking someone damaged: start again
    const std::string temp = target + ".tmp-" + std::to_string(::getpid());
    removeTree(temp, files);
    makeDirectories(temp);
    for (const auto &f : files) {
        const std::string path = joinPath(temp, f.name);
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(f.bytes.data(), std::streamsize(f.bytes.size()));
        out.close();
        if (!out) {
            removeTree(temp, files);
            throw Error(path + ": cannot write the embedded file (" + std::strerror(errno) + ")");
        }
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        removeTree(temp, files);
        // Another process unpacked the same bytes first: theirs is as good.
        if (!complete(target, files))
            throw Error(target + ": cannot move the unpacked files into place (" + std::strerror(err) + ")");
    }
    return target;
}

} // namespace polar
