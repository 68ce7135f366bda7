#pragma once

#include <QString>
#include <QStringList>

#include <vector>

QT_FORWARD_DECLARE_CLASS(QValueAxis)

// Equal-width bins whose edges are round numbers (0.5, 1, 2, 5 × 10^k), so
// that an axis can label the edges themselves rather than invented centres.
struct Histogram
{
    std::vector<double> edges;  // bins + 1, ascending
    std::vector<double> counts; // bins
    int decimals = 0;           // enough to tell neighbouring edges apart

    QString edgeLabel(size_t k) const;
    QString binLabel(size_t b) const; // "1.5 to 2.0"
};

// At most `maxBins` bins, fewer for few values (Sturges' rule): every value
// lands in exactly one bin, the largest in the last.
Histogram histogram(const std::vector<double> &values, int maxBins = 12);

// A round step near `rough`: 1, 2 or 5 times a power of ten.
double niceStep(double rough);

// A count axis from 0 with whole-number ticks only ("1, 2, 3", never "1.4";
// "630", never "6.3e+02").
void setCountAxis(QValueAxis *axis, double maxCount, int maxTicks = 6);
