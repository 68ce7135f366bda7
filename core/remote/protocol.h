#pragma once

// The reward APIs of vLLM, SGLang and LMDeploy as xtuner's RewardModelClient
// calls them, both sides: what a client sends and reads back, and what a
// server reads and answers. One place for every shape, so the client and
// `polar-cli serve` cannot drift apart.
//
//   vLLM      POST /pooling   {"input": [text...]}            -> {"data": [{"index": i, "data": [[v]...]}]}  reward = data[-1][0]
//   SGLang    POST /classify  {"model": name, "text": [text...]} -> [{"embedding": [v], "meta_info": {...}}]   reward = embedding[0]
//   LMDeploy  POST /pooling   {"input": [text...]}            -> {"data": [{"index": i, "data": v}]}          reward = data

#include "remote/server_spec.h"
#include "util/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace polar {

// --- client side ------------------------------------------------------------

const char *rewardPath(ServerEngine engine); // "/pooling" or "/classify"
// The body RewardModelClient sends; `model` is left out when empty.
std::string rewardRequestBody(ServerEngine engine, const std::string &model, const std::vector<std::string> &texts);
// The rewards in a 200 response, in the order the texts were sent. Throws
// polar::Error saying what did not parse, or that the count is not `expected`.
std::vector<double> parseRewardResponse(ServerEngine engine, std::string_view body, size_t expected);
// The message an error response carries (vLLM/SGLang/LMDeploy/FastAPI shapes),
// or the body itself cut to a line.
std::string errorMessageOf(std::string_view body);

// --- server side --------------------------------------------------------------

// What a /pooling or /classify request asks to score: texts, or token ids
// already encoded (both APIs accept either), never both.
struct RewardQuery
{
    std::vector<std::string> texts;
    std::vector<std::vector<int>> ids;
    bool single = false;   // a bare string (or one id list) came, so a bare result goes back (SGLang)
    std::string model;     // "" when the request named none
    size_t size() const { return texts.empty() ? ids.size() : texts.size(); }
};
// Throws polar::Error with the message a 400 answer carries.
RewardQuery parsePoolingQuery(std::string_view body);   // {"input": ...}
RewardQuery parseClassifyQuery(std::string_view body);  // {"text": ...} or {"input_ids": ...}

// How /pooling answers: vLLM's per-token rows (here the last token's row, so
// data[-1][0] is the reward) or LMDeploy's bare number.
enum class PoolingShape { Vllm, Lmdeploy };
std::string poolingResponse(PoolingShape shape, const std::string &model, const std::vector<float> &rewards,
                            const std::vector<size_t> &tokens);
std::string classifyResponse(const std::vector<float> &rewards, const std::vector<size_t> &tokens, bool single);
// {"object": "error", "message": ..., "type": ..., "code": status}, as vLLM answers.
std::string errorResponse(int status, const std::string &message);
std::string modelsResponse(const std::string &model, int64_t maxModelLength);

} // namespace polar
