#pragma once

#include "scoring/text_field.h"
#include "util/json.h"

#include <cstdint>
#include <string>
#include <vector>

namespace polar {

// One record of a preference dataset, as read from JSONL. Its identity is its
// line number in the file (a project's decisions are keyed by it, so a line
// that goes bad cannot shift the records after it); `id` is the record's own
// "id" field where it has one, and `contentHash` fingerprints what a decision
// is about (prompt, reference, outputs), for matching records across edits.
struct DatasetRecord
{
    enum class Kind { Outputs, Output, ChosenRejected };
    size_t line = 0;
    Kind kind = Kind::Outputs;
    TextField prompt, reference;
    std::vector<TextField> outputs; // for ChosenRejected: {chosen, rejected}
    std::string extraFields;        // every other field, as a compact JSON object, written back on export
    std::string id;                 // the record's "id" (string or integer), or empty
    std::string contentHash;        // fingerprintHex of the canonical prompt, reference and outputs
};

struct InvalidLine
{
    size_t line = 0;
    std::string reason;
};

struct DatasetImport
{
    std::string path;
    std::vector<DatasetRecord> records;
    std::vector<InvalidLine> invalid; // reported, never silently dropped
    uint64_t fileBytes = 0;
    std::string fileHash;             // fingerprintHex of the whole file

    // The index of the record on `line`, or -1.
    long indexOfLine(size_t line) const;
};

// Reads a JSONL dataset: each record has prompt, reference and either outputs
// (a list), output, or chosen + rejected; fields are strings or message lists.
// The file itself is never modified. An empty file (no records and no bad
// lines) is an error, as is a path that is not a regular file.
DatasetImport importDataset(const std::string &path);
DatasetRecord parseDatasetRecord(const Json &j, const std::string &where);
std::string recordContentHash(const DatasetRecord &r);

} // namespace polar
