#pragma once

#include "util/json.h"
#include "scoring/text_field.h"

#include <string>
#include <vector>

namespace polar {

// One record of a preference dataset, as read from JSONL.
struct DatasetRecord
{
    enum class Kind { Outputs, Output, ChosenRejected };
    size_t line = 0;
    Kind kind = Kind::Outputs;
    TextField prompt, reference;
    std::vector<TextField> outputs; // for ChosenRejected: {chosen, rejected}
    std::string extraFields;        // every other field, as a compact JSON object, written back on export
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
};

// Reads a JSONL dataset: each record has prompt, reference and either outputs
// (a list), output, or chosen + rejected; fields are strings or message lists.
// The file itself is never modified.
DatasetImport importDataset(const std::string &path);
DatasetRecord parseDatasetRecord(const Json &j, const std::string &where);

} // namespace polar
