#pragma once

#include <functional>
#include <string>
#include <vector>

namespace polar {

// Reads a whole regular file; throws polar::Error "PATH: cannot open (reason)",
// or "PATH: is a directory, not a file" for anything that is not a regular file.
std::string readWholeFile(const std::string &path);
bool fileExists(const std::string &path); // a regular file
bool directoryExists(const std::string &path);
std::string joinPath(const std::string &dir, const std::string &name);
std::string directoryOf(const std::string &path); // "." when there is no slash
std::string baseName(const std::string &path);
// The names of the regular files (the folders) in `dir`, sorted; empty when it cannot be read.
std::vector<std::string> filesIn(const std::string &dir);
std::vector<std::string> foldersIn(const std::string &dir);
// The folder of the running program (/proc/self/exe); empty when it cannot be read.
// Installed files are found relative to it, so an installed tree can move.
std::string executableDirectory();

// Removes the named files from `dir`, then `dir` itself if that left it
// empty; what does not exist is not an error. For folders this program
// writes, whose contents it knows: nothing else in them is touched.
void removeFolder(const std::string &dir, const std::vector<std::string> &files);

// Whether two paths name the same file: the same device and inode when both
// exist, else the same absolute path once symbolic links in the folder are
// resolved. Used to refuse writing an output over an input.
bool sameFile(const std::string &a, const std::string &b);

// Throws polar::Error when `output` names the same file as any of `inputs`:
// "OUTPUT: is the input ROLE; choose another output file".
void refuseOverwritingInput(const std::string &output, const std::string &input, const std::string &role);

// Throws polar::Error unless `path` can be written as writeFileAtomically
// writes it (a file may be created beside it): "PATH: cannot write (the folder
// DIR does not exist)", "(Permission denied)", "is a directory". For commands
// that work for minutes before they write, so a mistyped output fails first.
void checkWritable(const std::string &path);

// Writes `data` to a new temporary file beside `path`, runs `check` on the
// temporary file (which may throw to abandon the write), flushes it to disk,
// renames it over `path` and flushes the folder, so a reader sees either the
// old file, byte for byte, or the whole new one. A failure at any step removes
// the temporary file and leaves `path` untouched. An existing file's
// permissions are kept.
void writeFileAtomically(const std::string &path, const std::string &data,
                         const std::function<void(const std::string &tempPath)> &check = {});

} // namespace polar
