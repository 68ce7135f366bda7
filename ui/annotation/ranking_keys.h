#pragma once

#include "annotation/commands.h"
#include "preferences/project.h"

#include <optional>

// What a key pressed on the candidate list does to the item's annotation:
// 1-9 put the candidate at that rank, T ties it with the one above, 0 unranks,
// S skips, F flags or unflags. Enter (submit) is the window's: it checks the
// ranking first. `candidate` is the selected candidate (or -1), `above` the
// one shown above it (or -1). Nothing when the key means nothing here.
struct KeyChange
{
    polar::Annotation annotation;
    AnnotateCommand::Kind kind;
    bool advance = false; // move the selection on (after ranking one)
    bool nextItem = false; // go to the next item (after skipping)
};
std::optional<KeyChange> rankingKeyChange(int key, polar::Annotation current, size_t candidate, size_t above);
