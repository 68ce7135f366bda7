#pragma once

#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace polar {

enum class SafetensorsDType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

const char *dtypeName(SafetensorsDType t);
size_t dtypeSize(SafetensorsDType t);

// One rule of the format each, after huggingface/safetensors' tensor.rs, so a
// test can check that each kind of damage is told apart.
enum class SafetensorsErrorCode {
    CannotOpen,
    HeaderTooSmall,
    HeaderTooLarge,
    InvalidHeaderLength,
    InvalidHeaderStart,
    InvalidHeaderJson,
    InvalidTensorInfo,
    UnknownDType,
    ValidationOverflow,
    InvalidOffset,
    TensorInvalidInfo,
    MetadataIncompleteBuffer,
    IndexInvalid,
    IndexShardMissing,
    IndexTensorNotInShard,
};

// Still a polar::Error: boundaries catch one type; tests read the code.
class SafetensorsError : public Error
{
public:
    SafetensorsError(SafetensorsErrorCode code, const std::string &msg)
        : Error(msg), m_code(code) {}
    SafetensorsErrorCode code() const { return m_code; }

private:
    SafetensorsErrorCode m_code;
};

// A tensor's bytes inside a mapped file; valid while its file is alive.
struct TensorView
{
    std::string name;
    SafetensorsDType dtype = SafetensorsDType::F32;
    std::vector<int64_t> shape;
    const std::byte *data = nullptr;
    size_t nbytes = 0;
    std::string file;
    bool mapped = false; // in a file mapping (else in a buffer the file object owns)
};

// Hints for a loader that converts tensors and does not keep their bytes:
// read a tensor's pages ahead, and give them back once converted, so that a
// bf16 checkpoint widened to fp32 never holds both copies in memory. No-ops
// for tensors that are not mapped.
void prefetchPages(const TensorView &v);
void releasePages(const TensorView &v);

class MappedFile;

// A memory-mapped .safetensors file, validated rule by rule when opened.
class SafetensorsFile
{
public:
    static std::shared_ptr<SafetensorsFile> open(const std::string &path);
    // Validates bytes already in memory (used by tests on hand-written buffers).
    static std::shared_ptr<SafetensorsFile> fromBuffer(std::string bytes, const std::string &name);

    const std::string &path() const { return m_path; }
    const std::map<std::string, TensorView> &tensors() const { return m_tensors; }
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }

private:
    void parse(const std::byte *base, size_t size);

    std::string m_path;
    std::shared_ptr<MappedFile> m_mapping;
    std::string m_buffer;
    std::map<std::string, TensorView> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

// All weights of a model directory: one model.safetensors, or the shards that
// model.safetensors.index.json lists. Keeps every file mapped.
class SafetensorsCheckpoint
{
public:
    static SafetensorsCheckpoint openDirectory(const std::string &dir);

    const std::map<std::string, TensorView> &tensors() const { return m_tensors; }
    const std::vector<std::string> &files() const { return m_fileNames; }
    uint64_t totalBytes() const;

private:
    std::vector<std::shared_ptr<SafetensorsFile>> m_files;
    std::vector<std::string> m_fileNames;
    std::map<std::string, TensorView> m_tensors;
};

} // namespace polar
