#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace polar {

// A file compiled into the binary (see cmake/EmbedFiles.cmake).
struct EmbeddedFile {
    std::string name;
    std::string_view bytes;
};

// The per-user cache folder: $XDG_CACHE_HOME/polar-studio, else
// ~/.cache/polar-studio.
std::string userCacheDirectory();

// Unpacks `files` into CACHE/NAME-FINGERPRINT/ (the fingerprint is of every
// name and byte, so a changed embedding never reuses an older unpacking) and
// returns that folder. The files are written to a temporary folder that is
// renamed into place, so a folder that exists is complete; a concurrent
// unpacking by another process is harmless. Throws polar::Error naming the
// folder when it cannot be written.
std::string unpackEmbeddedFiles(const std::vector<EmbeddedFile> &files, const std::string &name);

} // namespace polar
