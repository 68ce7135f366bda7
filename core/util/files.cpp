#include "util/files.h"

#include "util/error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace polar {

namespace {

std::string errnoText()
{
    return std::strerror(errno);
}

// Closes the descriptor and removes the temporary file unless released.
struct TempFile
{
    std::string path;
    int fd = -1;
    bool keep = false;
    ~TempFile()
    {
        if (fd >= 0)
            ::close(fd);
        if (!keep && !path.empty())
            ::unlink(path.c_str());
    }
};

// A new file beside `path` (O_EXCL, a name unique in this process: never
// another writer's file), named in `tmp`, which removes it unless kept.
void createTempBeside(const std::string &path, mode_t mode, TempFile &tmp)
{
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; tmp.fd < 0; ++attempt) {
        tmp.path = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        tmp.fd = ::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (tmp.fd < 0 && (errno != EEXIST || attempt > 100)) {
            tmp.path.clear(); // nothing of ours to remove
            const int err = errno;
            const std::string why = errnoText();
            if (err == ENOENT && !directoryExists(directoryOf(path)))
                throw Error(path + ": cannot write (the folder " + directoryOf(path) + " does not exist)");
            throw Error(path + ": cannot write (" + why + ")");
        }
    }
}

void syncDirectory(const std::string &dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return; // not fatal: the rename itself is atomic
    ::fsync(fd);
    ::close(fd);
}

std::string absolutePath(const std::string &path)
{
    // The folder resolved (it exists when the file is to be written), the name kept.
    const std::string dir = directoryOf(path);
    char buf[PATH_MAX];
    if (::realpath(dir.c_str(), buf))
        return joinPath(buf, baseName(path));
    return path;
}

} // namespace

std::string readWholeFile(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw Error(path + ": cannot open (" + errnoText() + ")");
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        const std::string why = errnoText();
        ::close(fd);
        throw Error(path + ": cannot open (" + why + ")");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(path + (S_ISDIR(st.st_mode) ? ": is a directory, not a file" : ": is not a regular file"));
    }
    std::string data;
    data.reserve(size_t(st.st_size));
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string why = errnoText();
            ::close(fd);
            throw Error(path + ": read error (" + why + ")");
        }
        if (n == 0)
            break;
        data.append(buf, size_t(n));
    }
    ::close(fd);
    return data;
}

bool fileExists(const std::string &path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool directoryExists(const std::string &path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string joinPath(const std::string &dir, const std::string &name)
{
    if (dir.empty() || dir.back() == '/')
        return dir + name;
    return dir + "/" + name;
}

namespace {

std::vector<std::string> entriesIn(const std::string &dir, bool (*keep)(const std::string &))
{
    std::vector<std::string> names;
    DIR *d = ::opendir(dir.c_str());
    if (!d)
        return names;
    while (const dirent *e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != ".." && keep(joinPath(dir, name)))
            names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

std::vector<std::string> filesIn(const std::string &dir)
{
    return entriesIn(dir, fileExists);
}

std::vector<std::string> foldersIn(const std::string &dir)
{
    return entriesIn(dir, directoryExists);
}

std::string executableDirectory()
{
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return {};
    const std::string p(buf, size_t(n));
    return p.substr(0, p.rfind('/'));
}

std::string directoryOf(const std::string &path)
{
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseName(const std::string &path)
{
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool sameFile(const std::string &a, const std::string &b)
{
    struct stat sa, sb;
    const bool ea = ::stat(a.c_str(), &sa) == 0, eb = ::stat(b.c_str(), &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return false;
    return absolutePath(a) == absolutePath(b);
}

void refuseOverwritingInput(const std::string &output, const std::string &input, const std::string &role)
{
    if (sameFile(output, input))
        throw Error(output + ": is the " + role + " (" + input + "); writing over it would lose it, choose another output file");
}

void checkWritable(const std::string &path)
{
    struct stat existing;
    if (::stat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode))
        throw Error(path + ": is a directory, not a file");
    TempFile probe; // removed on return: nothing is left beside `path`
    createTempBeside(path, 0600, probe);
}

void writeFileAtomically(const std::string &path, const std::string &data,
                         const std::function<void(const std::string &)> &check)
{
    struct stat existing;
    const bool exists = ::stat(path.c_str(), &existing) == 0;
    if (exists && S_ISDIR(existing.st_mode))
        throw Error(path + ": is a directory, not a file");
    TempFile tmp;
    createTempBeside(path, exists ? (existing.st_mode & 07777) : 0644, tmp);
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(tmp.fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(path + ": write failed (" + errnoText() + ")");
        }
        done += size_t(n);
    }
    if (::fsync(tmp.fd) != 0)
        throw Error(path + ": write failed (" + errnoText() + ")");
    const int fd = tmp.fd;
    tmp.fd = -1;
    if (::close(fd) != 0)
        throw Error(path + ": write failed (" + errnoText() + ")");
    if (check) {
        try {
            check(tmp.path);
        } catch (const Error &e) {
            // Name the file the user asked for, not our temporary.
            std::string why = e.what();
            for (size_t at = why.find(tmp.path); at != std::string::npos; at = why.find(tmp.path, at + path.size()))
                why.replace(at, tmp.path.size(), path);
            throw Error(why + " (nothing was written; " + path + " is unchanged)");
        }
    }
    if (::rename(tmp.path.c_str(), path.c_str()) != 0)
        throw Error(path + ": cannot replace (" + errnoText() + ")");
    tmp.keep = true;
    syncDirectory(directoryOf(path));
}

void removeFolder(const std::string &dir, const std::vector<std::string> &files)
{
    for (const auto &f : files)
        std::remove(joinPath(dir, f).c_str());
    ::rmdir(dir.c_str());
}

} // namespace polar
