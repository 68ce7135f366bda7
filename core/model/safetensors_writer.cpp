#include "model/safetensors_writer.h"

#include "util/error.h"
#include "util/files.h"
#include "util/json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace polar {

size_t TensorSpec::nbytes() const
{
    size_t n = dtypeSize(dtype);
    for (int64_t d : shape)
        n *= size_t(d);
    return n;
}

namespace {

void writeAll(int fd, const char *data, size_t size, const std::string &path)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(path + ": write failed (" + std::strerror(errno) + ")");
        }
        data += n;
        size -= size_t(n);
    }
}

} // namespace

void writeSafetensors(const std::string &path, std::vector<TensorSpec> specs,
                      const std::function<void(const TensorSpec &, std::string &)> &fill,
                      const std::map<std::string, std::string> &metadata)
{
    std::sort(specs.begin(), specs.end(), [](const TensorSpec &a, const TensorSpec &b) { return a.name < b.name; });
    std::vector<std::pair<std::string, Json>> header;
    if (!metadata.empty()) {
        Json meta = Json::object();
        for (const auto &[k, v] : metadata)
            meta[k] = v;
        header.emplace_back("__metadata__", std::move(meta));
    }
    uint64_t offset = 0;
    for (const auto &s : specs) {
        const uint64_t end = offset + s.nbytes();
        header.emplace_back(s.name, objectFromPairs({{"dtype", dtypeName(s.dtype)},
                                                     {"shape", s.shape},
                                                     {"data_offsets", Json::array({offset, end})}}));
        offset = end;
    }
    std::string text = objectFromPairs(std::move(header)).dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
    try {
        char length[8];
        uint64_t n = text.size();
        for (int i = 0; i < 8; ++i, n >>= 8)
            length[i] = char(n & 0xff);
        writeAll(fd, length, 8, path);
        writeAll(fd, text.data(), text.size(), path);
        std::string buffer;
        for (const auto &s : specs) {
            buffer.clear();
            fill(s, buffer);
            if (buffer.size() != s.nbytes())
                throw Error(path + ": tensor '" + s.name + "' was given " + std::to_string(buffer.size()) + " bytes, needs "
                            + std::to_string(s.nbytes()));
            writeAll(fd, buffer.data(), buffer.size(), path);
        }
        if (::fsync(fd) != 0)
            throw Error(path + ": write failed (" + std::strerror(errno) + ")");
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw Error(path + ": cannot replace (" + std::strerror(errno) + ")");
    }
}

} // namespace polar
