#pragma once

#include <string>

namespace polar {

// The demo model compiled into every binary (resources/models/polar-demo): a
// tiny InternLM2 reward model (about a million parameters) trained by scripts/train-demo-model.sh
// on a synthetic corpus of four task families. It is what the app opens and
// what `polar-cli` uses when no --model is given, so that rewards behave like a
// reward model's from the first minute; it knows nothing outside its corpus.

// Unpacks the model into the user's cache on first use and returns its folder.
std::string demoModelDirectory();

// Whether `directory` is an unpacking of the demo model (any version).
bool isDemoModelDirectory(const std::string &directory);

// One sentence for banners and the CLI: what the model is and what it is not.
const char *demoModelNotice();

} // namespace polar
