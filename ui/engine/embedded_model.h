#pragma once

#include <QString>

// The tiny demo model is compiled into the binary (resources/polar.qrc) so
// the app works anywhere; it is unpacked once to a cache folder for core,
// which reads model files from disk.
QString embeddedModelDir();                 // unpacks if needed; empty on failure
QString embeddedSeedExamplePath();          // ":/datasets/strawberry.jsonl"
