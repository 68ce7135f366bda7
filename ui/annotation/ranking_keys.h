#pragma once

#include "annotation/commands.h"
#include "preferences/project.h"

#include <QList>
#include <QPair>
#include <QString>

#include <optional>

// What a key pressed on the candidate list does to the item's annotation:
// 1-9 put the candidate at that rank, T ties it with the one above, 0 unranks,
// S skips, F flags or unflags. Enter (submit) is the window's: it checks the
// ranking first. `candidate` is the selected candidate (or -1), `above` the
// one shown above it (or -1). Nothing when the key means nothing here or
// changes nothing; `refused` (and no change) when it would do something the
// annotator cannot mean, such as rank 4 while rank 3 is empty.
struct KeyChange
{
    polar::Annotation annotation;
    AnnotateCommand::Kind kind;
    bool advance = false; // move the selection on (after ranking or tying one)
    bool nextItem = false; // go to the next item (after skipping)
    std::string refused;  // why nothing was done, for the message bar
    bool unchanged = false; // the annotation is as it was: only the selection moves
};
std::optional<KeyChange> rankingKeyChange(int key, polar::Annotation current, size_t candidate, size_t above);

// The ranking keys, as (what, keys), for the window's F1 list.
QList<QPair<QString, QString>> rankingKeyHelp();
