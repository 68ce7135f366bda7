#include "analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace polar {

std::vector<double> averageRanks(const std::vector<double> &values)
{
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]])
            ++j;
        const double rank = (double(i) + double(j)) / 2.0 + 1.0; // ranks i+1 .. j+1 averaged
        for (size_t k = i; k <= j; ++k)
            ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

std::optional<double> pearson(const std::vector<double> &x, const std::vector<double> &y)
{
    const size_t n = std::min(x.size(), y.size());
    if (n < 2)
        return std::nullopt;
    const double mx = std::accumulate(x.begin(), x.begin() + long(n), 0.0) / double(n);
    const double my = std::accumulate(y.begin(), y.begin() + long(n), 0.0) / double(n);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0 || syy <= 0)
        return std::nullopt;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::optional<double> spearman(const std::vector<double> &x, const std::vector<double> &y)
{
    return pearson(averageRanks(x), averageRanks(y));
}

double sigmoid(double x)
{
    return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}

Calibration calibration(const std::vector<double> &margins, int bins)
{
    Calibration c;
    bins = std::max(1, bins);
    for (int b = 0; b < bins; ++b)
        c.bins.push_back({0.5 + 0.5 * b / bins, 0.5 + 0.5 * (b + 1) / bins});
    std::vector<double> right(size_t(bins), 0.0), confidence(size_t(bins), 0.0);
    double totalRight = 0;
    for (double m : margins) {
        if (!std::isfinite(m))
            continue;
        const double p = sigmoid(m);
        const double conf = std::max(p, 1.0 - p);
        const double hit = m > 0 ? 1.0 : m < 0 ? 0.0 : 0.5;
        const size_t b = size_t(std::clamp(int((conf - 0.5) * 2 * bins), 0, bins - 1));
        c.bins[b].count += 1;
        confidence[b] += conf;
        right[b] += hit;
        totalRight += hit;
        ++c.pairs;
    }
    for (size_t b = 0; b < c.bins.size(); ++b) {
        auto &bin = c.bins[b];
        if (!bin.count)
            continue;
        bin.meanConfidence = confidence[b] / double(bin.count);
        bin.accuracy = right[b] / double(bin.count);
        c.ece += double(bin.count) / double(c.pairs) * std::abs(bin.accuracy - bin.meanConfidence);
    }
    c.accuracy = c.pairs ? totalRight / double(c.pairs) : 0.0;
    return c;
}

} // namespace polar
