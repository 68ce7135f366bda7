#pragma once

#include <string>

namespace polar {

// The folder a model is read from, given the one a user picked. A folder with
// config.json is itself. A Hugging Face hub cache folder (models--ORG--NAME,
// what `huggingface-cli download` fills) holds its files in
// snapshots/<revision>/: the one refs/main names, else its only snapshot.
// Throws polar::Error when a hub folder does not say which snapshot to read.
// Anything else comes back unchanged, for the loader to say what is missing.
std::string resolveModelDirectory(const std::string &directory);

// The name a model directory goes by (ModelInfo::name): its last component,
// or NAME for a snapshot of a hub cache folder models--ORG--NAME.
// Projects record rewards under it; remote scoring looks for it on the server.
std::string modelNameOf(std::string directory);

} // namespace polar
