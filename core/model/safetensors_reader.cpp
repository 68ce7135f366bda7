#include "model/safetensors_reader.h"

#include "util/files.h"

#include "util/json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace polar {

namespace {

constexpr uint64_t kMaxHeaderSize = 100'000'000;

using Code = SafetensorsErrorCode;

[[noreturn]] void fail(Code code, const std::string &file, const std::string &what)
{
    throw SafetensorsError(code, file + ": " + what);
}

bool parseStoredDType(const std::string &s, SafetensorsDType &out)
{
    static const std::pair<const char *, SafetensorsDType> table[] = {
        {"F32", SafetensorsDType::F32}, {"F16", SafetensorsDType::F16}, {"BF16", SafetensorsDType::BF16},
        {"F64", SafetensorsDType::F64}, {"I64", SafetensorsDType::I64}, {"I32", SafetensorsDType::I32},
        {"I16", SafetensorsDType::I16}, {"I8", SafetensorsDType::I8},   {"U8", SafetensorsDType::U8},
        {"BOOL", SafetensorsDType::Bool},
    };
    for (const auto &[name, t] : table)
        if (s == name) {
            out = t;
            return true;
        }
    return false;
}

bool checkedMul(uint64_t a, uint64_t b, uint64_t &out)
{
    return !__builtin_mul_overflow(a, b, &out);
}

bool endsWith(const std::string &s, const std::string &tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// No weights to read: said in terms of what the folder does hold, since
// "no model.safetensors" alone leaves a user with pickles or unindexed shards guessing.
std::string noWeightsMessage(const std::string &dir)
{
    std::string msg = "no model.safetensors or model.safetensors.index.json in the model directory";
    std::vector<std::string> safetensors, pickles;
    for (const auto &name : filesIn(dir)) {
        if (endsWith(name, ".safetensors"))
            safetensors.push_back(name);
        else if (endsWith(name, ".bin") || endsWith(name, ".pt") || endsWith(name, ".pth"))
            pickles.push_back(name);
    }
    auto some = [](const std::vector<std::string> &names) {
        return names[0] + (names.size() > 1 ? " and " + std::to_string(names.size() - 1) + " more" : "");
    };
    if (!safetensors.empty())
        msg += "; it holds " + some(safetensors) + ": name a single file model.safetensors, or add the "
               "model.safetensors.index.json that maps each tensor to its shard (it comes with the shards)";
    else if (!pickles.empty())
        msg += "; it holds PyTorch pickle weights (" + some(pickles) + "), which are not read here (unpickling "
               "can run code): convert them once with transformers, AutoModel.from_pretrained(DIR, "
               "trust_remote_code=True).save_pretrained(OUT, safe_serialization=True)";
    return msg;
}

} // namespace

const char *dtypeName(SafetensorsDType t)
{
    switch (t) {
    case SafetensorsDType::F32: return "F32";
    case SafetensorsDType::F16: return "F16";
    case SafetensorsDType::BF16: return "BF16";
    case SafetensorsDType::F64: return "F64";
    case SafetensorsDType::I64: return "I64";
    case SafetensorsDType::I32: return "I32";
    case SafetensorsDType::I16: return "I16";
    case SafetensorsDType::I8: return "I8";
    case SafetensorsDType::U8: return "U8";
    case SafetensorsDType::Bool: return "BOOL";
    }
    return "?";
}

size_t dtypeSize(SafetensorsDType t)
{
    switch (t) {
    case SafetensorsDType::F64:
    case SafetensorsDType::I64: return 8;
    case SafetensorsDType::F32:
    case SafetensorsDType::I32: return 4;
    case SafetensorsDType::F16:
    case SafetensorsDType::BF16:
    case SafetensorsDType::I16: return 2;
    case SafetensorsDType::I8:
    case SafetensorsDType::U8:
    case SafetensorsDType::Bool: return 1;
    }
    return 1;
}

class MappedFile
{
public:
    explicit MappedFile(const std::string &path)
    {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            fail(Code::CannotOpen, path, std::string("cannot open (") + std::strerror(errno) + ")");
        struct stat st;
        if (::fstat(fd, &st) != 0) {
            ::close(fd);
            fail(Code::CannotOpen, path, "cannot stat");
        }
        m_size = size_t(st.st_size);
        if (m_size > 0) {
            void *p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                ::close(fd);
                fail(Code::CannotOpen, path, std::string("cannot map (") + std::strerror(errno) + ")");
            }
            m_data = static_cast<const std::byte *>(p);
        }
        ::close(fd);
    }
    ~MappedFile()
    {
        if (m_data)
            ::munmap(const_cast<std::byte *>(m_data), m_size);
    }
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::byte *data() const { return m_data; }
    size_t size() const { return m_size; }

private:
    const std::byte *m_data = nullptr;
    size_t m_size = 0;
};

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string &path)
{
    auto f = std::shared_ptr<SafetensorsFile>(new SafetensorsFile);
    f->m_path = path;
    f->m_mapping = std::make_shared<MappedFile>(path);
    f->parse(f->m_mapping->data(), f->m_mapping->size());
    return f;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::fromBuffer(std::string bytes, const std::string &name)
{
    auto f = std::shared_ptr<SafetensorsFile>(new SafetensorsFile);
    f->m_path = name;
    f->m_buffer = std::move(bytes);
    f->parse(reinterpret_cast<const std::byte *>(f->m_buffer.data()), f->m_buffer.size());
    return f;
}

void SafetensorsFile::parse(const std::byte *base, size_t size)
{
    const std::string &file = m_path;
    if (size < 8)
        fail(Code::HeaderTooSmall, file, "file is " + std::to_string(size)
             + " bytes, too small for the 8-byte header length (truncated?)");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | uint64_t(std::to_integer<uint8_t>(base[i]));
    if (n > kMaxHeaderSize)
        fail(Code::HeaderTooLarge, file, "header length " + std::to_string(n) + " exceeds the 100 MB limit (corrupt file?)");
    uint64_t dataStart = 0;
    if (__builtin_add_overflow(uint64_t(8), n, &dataStart) || dataStart > size)
        fail(Code::InvalidHeaderLength, file, "header length " + std::to_string(n)
             + " runs past the end of the file (" + std::to_string(size) + " bytes; truncated?)");
    const char *hdr = reinterpret_cast<const char *>(base + 8);
    if (n == 0 || hdr[0] != '{')
        fail(Code::InvalidHeaderStart, file, "header does not start with '{' (not a safetensors file?)");

    Json j;
    std::string why;
    if (!tryParseJson(std::string_view(hdr, size_t(n)), j, why))
        fail(Code::InvalidHeaderJson, file, "header: " + why);
    if (!j.is_object())
        fail(Code::InvalidHeaderJson, file, "header is not a JSON object");

    struct Entry { std::string name; uint64_t begin, end; };
    std::vector<Entry> entries;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string &name = it.key();
        if (name == "__metadata__") {
            if (!it->is_object())
                fail(Code::InvalidTensorInfo, file, "'__metadata__' is not an object");
            for (auto m = it->begin(); m != it->end(); ++m)
                if (m->is_string())
                    m_metadata[m.key()] = m->get<std::string>();
            continue;
        }
        const auto &info = *it;
        if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string()
            || !info.contains("shape") || !info["shape"].is_array()
            || !info.contains("data_offsets") || !info["data_offsets"].is_array()
            || info["data_offsets"].size() != 2)
            fail(Code::InvalidTensorInfo, file, "tensor '" + name + "' needs dtype, shape and data_offsets [begin, end]");
        TensorView v;
        v.name = name;
        v.file = file;
        if (!parseStoredDType(info["dtype"].get<std::string>(), v.dtype))
            fail(Code::UnknownDType, file, "tensor '" + name + "' has unknown dtype '" + info["dtype"].get<std::string>() + "'");
        uint64_t elements = 1;
        for (const auto &d : info["shape"]) {
            if (!d.is_number_unsigned())
                fail(Code::InvalidTensorInfo, file, "tensor '" + name + "' has a shape entry that is not a non-negative integer");
            if (!checkedMul(elements, d.get<uint64_t>(), elements))
                fail(Code::ValidationOverflow, file, "tensor '" + name + "' element count overflows");
            v.shape.push_back(int64_t(d.get<uint64_t>()));
        }
        const auto &off = info["data_offsets"];
        if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            fail(Code::InvalidTensorInfo, file, "tensor '" + name + "' has data_offsets that are not non-negative integers");
        uint64_t nbytes = 0;
        if (!checkedMul(elements, dtypeSize(v.dtype), nbytes))
            fail(Code::ValidationOverflow, file, "tensor '" + name + "' byte count overflows");
        const uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
        if (e >= b && e - b != nbytes)
            fail(Code::TensorInvalidInfo, file, "tensor '" + name + "' spans " + std::to_string(e - b)
                 + " bytes but its shape and dtype need " + std::to_string(nbytes));
        v.nbytes = size_t(nbytes);
        m_tensors.emplace(name, v);
        entries.push_back({name, b, e});
    }

    // Sorted by offset, the tensors must tile the data area exactly.
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
    });
    const uint64_t dataSize = size - dataStart;
    uint64_t expected = 0;
    for (const auto &en : entries) {
        if (en.begin != expected || en.end < en.begin)
            fail(Code::InvalidOffset, file, "tensor '" + en.name + "' has invalid data_offsets ["
                 + std::to_string(en.begin) + ", " + std::to_string(en.end) + "]: expected it to start at "
                 + std::to_string(expected));
        if (en.end > dataSize)
            fail(Code::MetadataIncompleteBuffer, file, "tensor '" + en.name + "' data is not within the file bounds ("
                 + std::to_string(en.end) + " > " + std::to_string(dataSize) + " data bytes); the file is truncated or corrupt");
        expected = en.end;
        m_tensors[en.name].data = base + dataStart + en.begin;
        m_tensors[en.name].mapped = m_mapping != nullptr;
    }
    if (expected != dataSize)
        fail(Code::MetadataIncompleteBuffer, file, "header describes " + std::to_string(expected)
             + " data bytes but the file holds " + std::to_string(dataSize));
}

namespace {

// The whole pages inside [data, data + n): the ones no other tensor shares.
bool interiorPages(const std::byte *data, size_t n, void *&begin, size_t &length)
{
    static const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
    const uintptr_t b = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
    const uintptr_t e = (reinterpret_cast<uintptr_t>(data) + n) & ~(page - 1);
    if (e <= b)
        return false;
    begin = reinterpret_cast<void *>(b);
    length = size_t(e - b);
    return true;
}

} // namespace

void prefetchPages(const TensorView &v)
{
    void *b;
    size_t n;
    if (v.mapped && interiorPages(v.data, v.nbytes, b, n))
        ::madvise(b, n, MADV_WILLNEED);
}

void releasePages(const TensorView &v)
{
    void *b;
    size_t n;
    // A private read-only file mapping: dropped pages read back from the file
    // if touched again, so this is only ever a hint about memory, never data.
    if (v.mapped && interiorPages(v.data, v.nbytes, b, n))
        ::madvise(b, n, MADV_DONTNEED);
}

SafetensorsCheckpoint SafetensorsCheckpoint::openDirectory(const std::string &dir)
{
    SafetensorsCheckpoint ck;
    const std::string single = joinPath(dir, "model.safetensors");
    const std::string indexPath = joinPath(dir, "model.safetensors.index.json");
    if (fileExists(indexPath)) {
        Json idx;
        std::string why;
        if (!tryParseJson(readWholeFile(indexPath), idx, why))
            fail(Code::IndexInvalid, indexPath, why);
        if (!idx.is_object() || !idx.contains("weight_map") || !idx["weight_map"].is_object())
            fail(Code::IndexInvalid, indexPath, "missing object 'weight_map'");
        std::map<std::string, std::shared_ptr<SafetensorsFile>> shards;
        for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
            if (!it->is_string())
                fail(Code::IndexInvalid, indexPath, "weight_map entry '" + it.key() + "' is not a file name");
            const std::string shardName = it->get<std::string>();
            if (shardName.find('/') != std::string::npos)
                fail(Code::IndexInvalid, indexPath, "shard '" + shardName + "' must be a file name in the model directory");
            auto &shard = shards[shardName];
            if (!shard) {
                const std::string shardPath = joinPath(dir, shardName);
                if (!fileExists(shardPath))
                    fail(Code::IndexShardMissing, indexPath, "shard '" + shardName
                         + "' is listed (for tensor '" + it.key() + "') but the file is absent");
                shard = SafetensorsFile::open(shardPath);
                ck.m_files.push_back(shard);
                ck.m_fileNames.push_back(shardPath);
            }
            auto t = shard->tensors().find(it.key());
            if (t == shard->tensors().end())
                fail(Code::IndexTensorNotInShard, indexPath, "tensor '" + it.key() + "' is listed in shard '"
                     + shardName + "' but that file does not hold it");
            ck.m_tensors.emplace(it.key(), t->second);
        }
        return ck;
    }
    if (!fileExists(single))
        fail(Code::CannotOpen, dir, noWeightsMessage(dir));
    auto f = SafetensorsFile::open(single);
    ck.m_files.push_back(f);
    ck.m_fileNames.push_back(single);
    ck.m_tensors = f->tensors();
    return ck;
}

uint64_t SafetensorsCheckpoint::totalBytes() const
{
    uint64_t total = 0;
    for (const auto &[name, t] : m_tensors)
        total += t.nbytes;
    return total;
}

} // namespace polar
