#include "analysis/length_bias.h"

#include "analysis/statistics.h"
#include "model/tokenizer.h"
#include "preferences/pairs.h"
#include "util/counted.h"
#include "util/error.h"

#include <algorithm>
#include <cstdio>

namespace polar {

namespace {

double credit(double preferred, double other)
{
    return preferred > other ? 1.0 : preferred == other ? 0.5 : 0.0;
}

std::string percent(double x)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * x);
    return buf;
}

std::string correlation(const std::optional<double> &r)
{
    if (!r)
        return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.3f", *r);
    return buf;
}

} // namespace

LengthBiasReport lengthBias(const std::vector<AnnotatedItem> &items, const std::vector<std::vector<int>> &tokens,
                            double lopsidedRatio)
{
    if (tokens.size() != items.size())
        throw Error("length bias: " + std::to_string(tokens.size()) + " length lists for " + std::to_string(items.size()) + " items");
    LengthBiasReport r;
    r.lopsidedRatio = lopsidedRatio;
    std::vector<double> x, y;
    double model = 0, longer = 0, shorter = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const AnnotatedItem &it = items[i];
        if (tokens[i].size() != it.candidates.size())
            throw Error("length bias: line " + std::to_string(it.line) + ": " + std::to_string(tokens[i].size()) + " lengths for "
                        + std::to_string(it.candidates.size()) + " candidates");
        if (it.rewards.size() != it.candidates.size())
            continue; // unscored or stale
        for (size_t k = 0; k < it.candidates.size(); ++k) {
            r.points.push_back({i, k, tokens[i][k], double(it.rewards[k])});
            x.push_back(tokens[i][k]);
            y.push_back(it.rewards[k]);
        }
        if (it.ranks.size() != it.candidates.size())
            continue;
        for (const auto &[c, w] : pairsFromRanking(it.ranks, PairStrategy::AllPairs)) {
            const double lc = tokens[i][c], lw = tokens[i][w];
            model += credit(it.rewards[c], it.rewards[w]);
            longer += credit(lc, lw);
            shorter += credit(lw, lc);
            ++r.pairs;
            if (std::max(lc, lw) >= lopsidedRatio * std::max(1.0, std::min(lc, lw)))
                r.lopsided.push_back({it.line, c, w, tokens[i][c], tokens[i][w]});
        }
    }
    r.pearson = pearson(x, y);
    r.spearman = spearman(x, y);
    if (r.pairs) {
        r.modelAccuracy = model / double(r.pairs);
        r.longerAccuracy = longer / double(r.pairs);
        r.shorterAccuracy = shorter / double(r.pairs);
    }
    return r;
}

LengthBiasReport lengthBias(const std::vector<AnnotatedItem> &items, const Tokenizer &tokenizer, double lopsidedRatio)
{
    std::vector<std::vector<int>> tokens;
    for (const auto &it : items) {
        tokens.emplace_back();
        for (const auto &c : it.candidates)
            tokens.back().push_back(int(tokenizer.encode(c.flattened(), false).size()));
    }
    return lengthBias(items, tokens, lopsidedRatio);
}

std::string LengthBiasReport::describe() const
{
    std::string s = "scored outputs: " + std::to_string(points.size()) + "\n";
    s += "reward vs length (tokens): Pearson " + correlation(pearson) + ", Spearman " + correlation(spearman) + "\n";
    s += "human pairs: " + std::to_string(pairs) + "\n";
    if (pairs) {
        s += "  model accuracy          " + percent(modelAccuracy) + "\n";
        s += "  always the longer one   " + percent(longerAccuracy) + "\n";
        s += "  always the shorter one  " + percent(shorterAccuracy) + "\n";
        if (std::max(longerAccuracy, shorterAccuracy) >= modelAccuracy)
            s += "  a length-only rule does as well as the model on these pairs\n";
    }
    if (!lopsided.empty()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f", lopsidedRatio);
        s += counted(lopsided.size(), "pair whose lengths differ ", "pairs whose lengths differ ")
             + buf + "x or more (length may decide " + (lopsided.size() == 1 ? "it" : "them") + "):\n";
        for (size_t k = 0; k < lopsided.size() && k < 10; ++k) {
            const auto &p = lopsided[k];
            s += "  line " + std::to_string(p.line) + ": chosen #" + std::to_string(p.chosen + 1) + " (" + std::to_string(p.chosenTokens)
                 + " tokens) over #" + std::to_string(p.rejected + 1) + " (" + std::to_string(p.rejectedTokens) + " tokens)\n";
        }
        if (lopsided.size() > 10)
            s += "  and " + std::to_string(lopsided.size() - 10) + " more (every one is in --json's \"lopsided_pairs\")\n";
    }
    return s;
}

Json LengthBiasReport::toJson() const
{
    Json pts = Json::array(), lop = Json::array();
    for (const auto &p : points)
        pts.push_back({{"item", p.item}, {"candidate", p.candidate}, {"tokens", p.tokens}, {"reward", p.reward}});
    for (const auto &p : lopsided)
        lop.push_back({{"line", p.line},
                       {"chosen", p.chosen},
                       {"rejected", p.rejected},
                       {"chosen_tokens", p.chosenTokens},
                       {"rejected_tokens", p.rejectedTokens}});
    auto orNull = [](const std::optional<double> &v) { return v ? Json(*v) : Json(nullptr); };
    return {{"points", pts},
            {"pearson", orNull(pearson)},
            {"spearman", orNull(spearman)},
            {"pairs", pairs},
            {"model_accuracy", modelAccuracy},
            {"longer_accuracy", longerAccuracy},
            {"shorter_accuracy", shorterAccuracy},
            {"lopsided_ratio", lopsidedRatio},
            {"lopsided_pairs", lop}};
}

} // namespace polar
