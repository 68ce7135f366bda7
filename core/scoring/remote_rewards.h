#pragma once

#include "scoring/pipeline.h"

#include <string>
#include <vector>

namespace polar {

// What a server answered when asked for one reward.
struct ServerCheck
{
    std::string summary;
    std::string warning; // empty when nothing looks wrong
};

// Rewards computed by a server elsewhere (vLLM, SGLang, LMDeploy or another
// polar-cli serve). The pipeline encodes locally, exactly as the official
// RewardModelClient does, and hands the encoded texts over; core knows only
// this interface, core/remote implements it over HTTP.
class RemoteRewards
{
public:
    virtual ~RemoteRewards() = default;
    // One score per text, in order. A text the server did not answer for (a
    // refused batch, a count mismatch, a timeout) is !ok with the reason,
    // never a silent zero. Throws polar::Cancelled.
    virtual std::vector<SequenceScore> scoreTexts(const std::vector<std::string> &texts,
                                                  const ScoreControl &control) const = 0;
    // "vLLM at http://gpu-box:8000", for the model bar and the logs.
    virtual std::string describe() const = 0;
    // Asks the server for one reward of `sampleText` and what it serves
    // ("answered a reward of 0.5312 in 12 ms; serves POLAR-7B"), with a
    // warning when it lists models but not the one in `localDir` (opened
    // here: its tokenizer encodes the texts). Throws polar::Error.
    virtual ServerCheck check(const std::string &sampleText, const std::string &localDir) const = 0;
};

} // namespace polar
