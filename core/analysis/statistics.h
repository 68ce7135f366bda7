#pragma once

#include <optional>
#include <vector>

namespace polar {

// Ranks from 1, ties sharing the average of the ranks they span (as
// scipy.stats.rankdata's "average").
std::vector<double> averageRanks(const std::vector<double> &values);

// Pearson's r; none when fewer than two points or either side is constant.
std::optional<double> pearson(const std::vector<double> &x, const std::vector<double> &y);
// Spearman's rho: Pearson's r of the average ranks.
std::optional<double> spearman(const std::vector<double> &x, const std::vector<double> &y);

double sigmoid(double x);

// A reliability diagram of pairwise predictions: the model's confidence
// max(p, 1 - p) with p = sigmoid(margin), against how often its side agreed
// with the human. Bins split [0.5, 1] equally.
struct ReliabilityBin
{
    double lo = 0, hi = 0;
    size_t count = 0;
    double meanConfidence = 0; // of the pairs in the bin
    double accuracy = 0;       // share of them where the model's side is the human's
};

struct Calibration
{
    std::vector<ReliabilityBin> bins;
    size_t pairs = 0;
    double accuracy = 0;
    // Expected calibration error: sum over bins of count/pairs * |accuracy - confidence|.
    double ece = 0;
};

// `margins`: reward of the human-chosen minus the human-rejected, one per pair.
// A margin of exactly 0 is a coin flip: confidence 0.5, half right.
Calibration calibration(const std::vector<double> &margins, int bins = 10);

} // namespace polar
