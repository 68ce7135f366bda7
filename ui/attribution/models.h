#pragma once

#include "attribution/attribution.h"

#include <QAbstractTableModel>
#include <QColor>

// The attributed spans (tokens, words, sentences or lines) of one candidate.
class AttributionSpanModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Text, Segment, Value, NB_COLUMNS };
    enum Role { ValueRole = Qt::UserRole, SegmentRole, FirstTokenRole, LastTokenRole };

    explicit AttributionSpanModel(QObject *parent = nullptr);
    void setSpans(std::vector<polar::AttributionSpan> spans);
    const std::vector<polar::AttributionSpan> &spans() const { return m_spans; }
    double maxAbsValue() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<polar::AttributionSpan> m_spans;
};

// The reward after each prefix of the output: (output tokens, reward) rows.
class RewardCurveModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { OutputTokens, Reward, NB_COLUMNS };

    explicit RewardCurveModel(QObject *parent = nullptr);
    void setCurve(std::vector<float> prefixRewards, std::vector<size_t> tokenIndices);
    size_t tokenIndexAt(int row) const; // the input token added at this prefix

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<float> m_rewards;
    std::vector<size_t> m_tokens;
};

// Diverging scale: red lowers the reward, blue raises it, white is zero.
QColor contributionColor(double value, double scaleMax);
