#pragma once

#include <QString>

// The demo model lives in core (polar::demoModelDirectory) so that the CLI
// and the app open the same one; these wrap it for the windows.
QString embeddedModelDir(QString *error);   // unpacks if needed; empty with *error on failure
bool isEmbeddedModelDir(const QString &directory);
QString embeddedSeedExamplePath();          // ":/datasets/strawberry.jsonl"
