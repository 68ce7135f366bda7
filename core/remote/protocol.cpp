#include "remote/protocol.h"

#include "util/error.h"

#include <chrono>
#include <cmath>
#include <limits>

namespace polar {

namespace {

int64_t nowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// vLLM and LMDeploy: per-token rows ([[v0], [v1], ...]: the last row's first
// value, as the client's data[-1][0]), a flat list (its last value), or a number.
double pooledReward(const Json &data, const std::string &where)
{
    if (data.is_number())
        return data.get<double>();
    if (data.is_string())
        throw Error(where + ": is a string (base64?); ask for encoding_format \"float\"");
    if (!data.is_array() || data.empty())
        throw Error(where + ": expected a number or a non-empty list, found " + (data.is_array() ? "an empty list" : jsonTypeName(data)));
    const Json &last = data.back();
    if (last.is_number())
        return last.get<double>();
    if (last.is_array() && !last.empty() && last[0].is_number())
        return last[0].get<double>();
    throw Error(where + ": the last row holds no number");
}

double finiteReward(double v, const std::string &where)
{
    if (!std::isfinite(v))
        throw Error(where + ": the reward is not finite");
    return v;
}

// The response items of vLLM and LMDeploy's /pooling, put back in request
// order by their "index" (when present).
std::vector<double> parsePooling(const Json &root, size_t expected)
{
    const Json *data = root.is_object() ? findField(root, "data") : nullptr;
    if (!data || !data->is_array())
        throw Error("the response has no \"data\" list");
    if (data->size() != expected)
        throw Error("the server answered " + std::to_string(data->size()) + " results for " + std::to_string(expected) + " texts");
    std::vector<double> out(expected, std::numeric_limits<double>::quiet_NaN());
    std::vector<bool> seen(expected, false);
    for (size_t i = 0; i < data->size(); ++i) {
        const Json &item = (*data)[i];
        const std::string where = "response data[" + std::to_string(i) + "]";
        if (!item.is_object())
            throw Error(where + ": expected an object, found " + jsonTypeName(item));
        const size_t at = findField(item, "index") ? size_t(integerField(item, "index", where)) : i;
        if (at >= expected || seen[at])
            throw Error(where + ": index " + std::to_string(at) + " is out of range or repeated");
        seen[at] = true;
        out[at] = finiteReward(pooledReward(requireField(item, "data", where), where + ".data"), where);
    }
    return out;
}

std::vector<double> parseClassify(const Json &root, size_t expected)
{
    // One text may come back as one bare object.
    const Json list = root.is_object() && expected == 1 ? Json::array({root}) : root;
    if (!list.is_array())
        throw Error("expected a list of results, found " + std::string(jsonTypeName(root)));
    if (list.size() != expected)
        throw Error("the server answered " + std::to_string(list.size()) + " results for " + std::to_string(expected) + " texts");
    std::vector<double> out;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "response[" + std::to_string(i) + "]";
        if (!list[i].is_object())
            throw Error(where + ": expected an object, found " + jsonTypeName(list[i]));
        const Json &embedding = requireField(list[i], "embedding", where);
        if (!embedding.is_array() || embedding.empty() || !embedding[0].is_number())
            throw Error(where + ".embedding: expected a list starting with a number");
        out.push_back(finiteReward(embedding[0].get<double>(), where));
    }
    return out;
}

// Strings, or lists of token ids: one (single) or many.
void readInputs(const Json &value, const std::string &field, RewardQuery &q)
{
    const std::string where = "field '" + field + "'";
    auto readIds = [&](const Json &list, const std::string &what) {
        std::vector<int> ids;
        for (const auto &v : list) {
            if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > std::numeric_limits<int>::max())
                throw Error(what + ": token ids must be non-negative integers");
            ids.push_back(int(v.get<int64_t>()));
        }
        if (ids.empty())
            throw Error(what + ": is an empty list of token ids");
        return ids;
    };
    if (value.is_string()) {
        q.texts.push_back(value.get<std::string>());
        q.single = true;
    } else if (value.is_array() && !value.empty() && value[0].is_number()) {
        q.ids.push_back(readIds(value, where));
        q.single = true;
    } else if (value.is_array() && !value.empty()) {
        const bool strings = value[0].is_string();
        for (size_t i = 0; i < value.size(); ++i) {
            const std::string what = where + " item " + std::to_string(i);
            if (strings && value[i].is_string())
                q.texts.push_back(value[i].get<std::string>());
            else if (!strings && value[i].is_array())
                q.ids.push_back(readIds(value[i], what));
            else
                throw Error(what + ": expected " + (strings ? "a string" : "a list of token ids") + " like the first, found "
                            + jsonTypeName(value[i]));
        }
    } else {
        throw Error(where + ": expected a string, a list of strings or lists of token ids, found "
                    + (value.is_array() ? std::string("an empty list") : std::string(jsonTypeName(value))));
    }
}

// Both routes' bodies: a JSON object, with an optional "model" kept in `q`.
Json requestObject(std::string_view body, RewardQuery &q)
{
    Json root = parseJson(body, "request body");
    if (!root.is_object())
        throw Error("request body: expected a JSON object");
    q.model = optionalString(root, "model", "request body");
    return root;
}

Json usage(const std::vector<size_t> &tokens)
{
    size_t total = 0;
    for (size_t t : tokens)
        total += t;
    return objectFromPairs({{"prompt_tokens", total}, {"total_tokens", total}, {"completion_tokens", 0}});
}

} // namespace

const char *rewardPath(ServerEngine engine) { return engine == ServerEngine::Sglang ? "/classify" : "/pooling"; }

std::string rewardRequestBody(ServerEngine engine, const std::string &model, const std::vector<std::string> &texts)
{
    Json body = Json::object();
    if (!model.empty())
        body["model"] = model;
    body[engine == ServerEngine::Sglang ? "text" : "input"] = texts;
    return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::vector<double> parseRewardResponse(ServerEngine engine, std::string_view body, size_t expected)
{
    const Json root = parseJson(body, std::string(engineDisplayName(engine)) + " response");
    return engine == ServerEngine::Sglang ? parseClassify(root, expected) : parsePooling(root, expected);
}

std::string errorMessageOf(std::string_view body)
{
    Json root;
    std::string why;
    if (tryParseJson(body, root, why) && root.is_object()) {
        for (const char *key : {"message", "detail", "error"}) {
            const Json *v = findField(root, key);
            if (v && v->is_string())
                return v->get<std::string>();
            if (v && v->is_object()) {
                const Json *m = findField(*v, "message");
                if (m && m->is_string())
                    return m->get<std::string>();
            }
            if (v && !v->is_null())
                return v->dump();
        }
    }
    std::string text(body.substr(0, 300));
    const auto nl = text.find('\n');
    return nl == std::string::npos ? text : text.substr(0, nl);
}

RewardQuery parsePoolingQuery(std::string_view body)
{
    RewardQuery q;
    const Json root = requestObject(body, q);
    const Json *input = findField(root, "input");
    if (!input)
        throw Error(findField(root, "messages") ? "request body: chat \"messages\" are not supported; send the encoded text as \"input\""
                                                : "request body: field 'input' is missing");
    readInputs(*input, "input", q);
    if (const Json *format = findField(root, "encoding_format"); format && !(format->is_string() && *format == "float"))
        throw Error("request body: only encoding_format \"float\" is supported");
    return q;
}

RewardQuery parseClassifyQuery(std::string_view body)
{
    RewardQuery q;
    const Json root = requestObject(body, q);
    const Json *text = findField(root, "text");
    const Json *ids = findField(root, "input_ids");
    if ((text && !text->is_null()) == (ids && !ids->is_null()))
        throw Error("request body: give exactly one of 'text' and 'input_ids'");
    if (text && !text->is_null()) {
        readInputs(*text, "text", q);
        if (!q.ids.empty())
            throw Error("request body: field 'text' holds token ids; send them as 'input_ids'");
    } else {
        readInputs(*ids, "input_ids", q);
        if (!q.texts.empty())
            throw Error("request body: field 'input_ids' holds text; send it as 'text'");
    }
    return q;
}

std::string poolingResponse(PoolingShape shape, const std::string &model, const std::vector<float> &rewards,
                            const std::vector<size_t> &tokens)
{
    Json data = Json::array();
    for (size_t i = 0; i < rewards.size(); ++i) {
        const Json value = shape == PoolingShape::Vllm ? Json::array({Json::array({rewards[i]})}) : Json(rewards[i]);
        data.push_back(objectFromPairs({{"index", i}, {"object", "pooling"}, {"data", value}}));
    }
    return objectFromPairs({{"id", "pool-" + std::to_string(nowSeconds())},
                            {"object", "list"},
                            {"created", nowSeconds()},
                            {"model", model},
                            {"data", std::move(data)},
                            {"usage", usage(tokens)}})
        .dump();
}

std::string classifyResponse(const std::vector<float> &rewards, const std::vector<size_t> &tokens, bool single)
{
    Json out = Json::array();
    for (size_t i = 0; i < rewards.size(); ++i) {
        Json meta = objectFromPairs({{"id", std::to_string(i)}, {"prompt_tokens", tokens[i]}, {"finish_reason", nullptr}});
        out.push_back(objectFromPairs({{"index", i}, {"embedding", Json::array({rewards[i]})}, {"meta_info", std::move(meta)}}));
    }
    return (single && out.size() == 1 ? out[0] : out).dump();
}

std::string errorResponse(int status, const std::string &message)
{
    const char *type = status == 400 ? "BadRequestError" : status == 401 ? "AuthenticationError"
                       : status == 404 ? "NotFoundError" : status == 503 ? "ServiceUnavailableError" : "InternalServerError";
    return objectFromPairs({{"object", "error"}, {"message", message}, {"type", type}, {"code", status}})
        .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string modelsResponse(const std::string &model, int64_t maxModelLength)
{
    Json card = objectFromPairs({{"id", model},
                                 {"object", "model"},
                                 {"created", nowSeconds()},
                                 {"owned_by", "polar-studio"},
                                 {"root", model},
                                 {"max_model_len", maxModelLength}});
    return objectFromPairs({{"object", "list"}, {"data", Json::array({std::move(card)})}}).dump();
}

} // namespace polar
