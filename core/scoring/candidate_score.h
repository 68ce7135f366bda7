#pragma once

#include "scoring/encoding.h"

#include <memory>
#include <string>

namespace polar {

// The score of one candidate text against a prompt and a reference: what the
// results table, sessions and `polar-cli score` show. One type at this level
// (below it SequenceScore, above it ItemRewards).
struct CandidateScore
{
    bool ok = true;
    std::string error;        // set when !ok
    float reward = 0.f;
    int tokens = 0;           // tokens of the whole encoded input
    std::string truncation;   // empty when nothing was cut
    std::string encodedText;
    std::shared_ptr<const PolarInput> input; // the encoding, for the views; not saved in sessions
};

} // namespace polar
