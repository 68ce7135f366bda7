#pragma once

#include "remote/server_spec.h"
#include "scoring/remote_rewards.h"

#include <memory>
#include <string>
#include <vector>

namespace polar {

// What Test found: the server's models and one reward.
struct ServerProbe
{
    std::vector<std::string> models; // the ids /v1/models lists (none when the server has no such route)
    double reward = 0;
    double milliseconds = 0; // the scoring request's round trip
    // What it found; the warning names what is wrong when the server lists
    // models but not `requested` (the spec's "model") or, without one, the
    // model in `localDir` (by its directory's name, or a Hugging Face cache
    // snapshot's repository).
    ServerCheck summary(const std::string &requested, const std::string &localDir) const;
};

// Rewards from a vLLM, SGLang or LMDeploy server, requested exactly as
// RewardModelClient requests them: the texts in batches of spec.batchSize,
// spec.concurrency requests in flight, retries with doubling waits on 429,
// 502, 503, 504 and connection errors (honouring Retry-After), a timeout on
// each request. A batch that still fails, or whose answer does not parse or
// counts wrong, fails its own texts with the reason; the others are kept.
class RemoteScorer : public RemoteRewards
{
public:
    explicit RemoteScorer(ServerSpec spec); // validates the spec
    std::vector<SequenceScore> scoreTexts(const std::vector<std::string> &texts, const ScoreControl &control) const override;
    std::string describe() const override;
    ServerCheck check(const std::string &sampleText, const std::string &localDir) const override
    {
        return probe(sampleText).summary(m_spec.model, localDir);
    }
    const ServerSpec &spec() const { return m_spec; }
    // Lists the served models (where the engine has /v1/models) and scores
    // `sampleText`; throws polar::Error with what went wrong.
    ServerProbe probe(const std::string &sampleText) const;

private:
    ServerSpec m_spec;
};

} // namespace polar

namespace polar {

class RewardModel;

// A model whose rewards come from `spec`'s server, encoding with the config
// and tokenizer in `dir` (the served model's own directory: weights are not
// read). SGLang's "model" field defaults to the directory's name, as the
// official client sends it; vLLM and LMDeploy get a "model" only when the spec names one.
std::unique_ptr<RewardModel> connectToServer(ServerSpec spec, const std::string &dir);
// The model bar's Test and `polar-cli inspect --server`: one small POLAR input,
// encoded with the model's tokenizer, through its server (the summary starts
// with the server's description). Throws polar::Error.
ServerCheck testConnection(const RewardModel &remoteModel);

} // namespace polar
