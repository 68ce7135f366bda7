#include "charts/histogram.h"

#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

double niceStep(double rough)
{
    if (!(rough > 0) || !std::isfinite(rough))
        return 1;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    const double f = rough / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

QString Histogram::edgeLabel(size_t k) const
{
    const double v = std::abs(edges[k]) < 1e-12 ? 0.0 : edges[k]; // never "-0.0"
    return QString::number(v, 'f', decimals);
}

QString Histogram::binLabel(size_t b) const
{
    return QObject::tr("%1 to %2").arg(edgeLabel(b), edgeLabel(b + 1));
}

Histogram histogram(const std::vector<double> &values, int maxBins)
{
    Histogram h;
    std::vector<double> finite;
    for (double v : values)
        if (std::isfinite(v))
            finite.push_back(v);
    if (finite.empty())
        return h;
    const auto [loIt, hiIt] = std::minmax_element(finite.begin(), finite.end());
    const int target = std::clamp(int(std::ceil(std::log2(double(finite.size())))) + 1, 1, std::max(1, maxBins));
    double step = niceStep((*hiIt - *loIt) / target);
    if (*hiIt == *loIt)
        step = niceStep(std::max(std::abs(*loIt) * 0.1, 0.1));
    const double start = std::floor(*loIt / step) * step;
    int bins = std::max(1, int(std::ceil((*hiIt - start) / step - 1e-9)));
    if (start + bins * step <= *hiIt) // the largest value sits on an edge: it belongs inside, not past the end
        ++bins;
    while (bins > maxBins) { // rounding can overshoot: widen the step
        step = niceStep(step * 1.5);
        const double s = std::floor(*loIt / step) * step;
        bins = std::max(1, int(std::ceil((*hiIt - s) / step - 1e-9)));
        if (s + bins * step <= *hiIt)
            ++bins;
    }
    const double first = std::floor(*loIt / step) * step;
    for (int k = 0; k <= bins; ++k)
        h.edges.push_back(first + k * step);
    h.counts.assign(size_t(bins), 0.0);
    for (double v : finite)
        h.counts[size_t(std::clamp(int(std::floor((v - first) / step)), 0, bins - 1))] += 1;
    h.decimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
    return h;
}

void setCountAxis(QValueAxis *axis, double maxCount, int maxTicks)
{
    const double top = std::max(1.0, std::ceil(maxCount));
    const double step = std::max(1.0, niceStep(top / std::max(1, maxTicks - 1)));
    const double end = std::ceil(top / step) * step;
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setRange(0, end);
    axis->setTickCount(int(std::lround(end / step)) + 1);
    axis->setLabelFormat(QStringLiteral("%d"));
    axis->setMinorTickCount(0);
}
