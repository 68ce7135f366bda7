#include "attribution/models.h"
#include "widgets/appearance.h"

#include <cmath>

QColor contributionColor(double value, double scaleMax)
{
    const double t = scaleMax > 0 ? std::clamp(value / scaleMax, -1.0, 1.0) : 0.0;
    const QColor end = t < 0 ? QColor(0xd7, 0x30, 0x27) : QColor(0x21, 0x66, 0xac);
    const double a = std::abs(t);
    return QColor(int(255 + (end.red() - 255) * a), int(255 + (end.green() - 255) * a), int(255 + (end.blue() - 255) * a));
}

AttributionSpanModel::AttributionSpanModel(QObject *parent) : QAbstractTableModel(parent) {}

void AttributionSpanModel::setSpans(std::vector<polar::AttributionSpan> spans)
{
    beginResetModel();
    m_spans = std::move(spans);
    endResetModel();
}

double AttributionSpanModel::maxAbsValue() const
{
    double m = 0;
    for (const auto &s : m_spans)
        m = std::max(m, std::abs(s.value));
    return m;
}

int AttributionSpanModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_spans.size());
}

int AttributionSpanModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant AttributionSpanModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const auto &s = m_spans[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Text: return QString::fromStdString(s.text).replace('\n', QStringLiteral("⏎"));
        case Segment: return QString::fromLatin1(polar::segmentName(s.segment));
        case Value: return QString::number(s.value, 'f', 4);
        }
        return {};
    case Qt::BackgroundRole:
        return index.column() == Value ? QVariant(contributionColor(s.value, maxAbsValue())) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() != Value)
            return {};
        return std::abs(s.value) > 0.6 * maxAbsValue() ? QVariant(QColor(Qt::white)) : QVariant(Appearance::textOnPastel());
    case ValueRole: return s.value;
    case SegmentRole: return int(s.segment);
    case FirstTokenRole: return qulonglong(s.firstToken);
    case LastTokenRole: return qulonglong(s.lastToken);
    }
    return {};
}

QVariant AttributionSpanModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Text: return tr("Text");
    case Segment: return tr("Segment");
    case Value: return tr("Contribution");
    }
    return {};
}

RewardCurveModel::RewardCurveModel(QObject *parent) : QAbstractTableModel(parent) {}

void RewardCurveModel::setCurve(std::vector<float> prefixRewards, std::vector<size_t> tokenIndices)
{
    beginResetModel();
    m_rewards = std::move(prefixRewards);
    m_tokens = std::move(tokenIndices);
    endResetModel();
}

size_t RewardCurveModel::tokenIndexAt(int row) const
{
    // Row k is the prefix of k output tokens: the last one added is token k-1.
    return row > 0 && size_t(row - 1) < m_tokens.size() ? m_tokens[size_t(row - 1)] : size_t(-1);
}

int RewardCurveModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rewards.size());
}

int RewardCurveModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant RewardCurveModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::DisplayRole)
        return {};
    return index.column() == OutputTokens ? QVariant(index.row()) : QVariant(double(m_rewards[size_t(index.row())]));
}

QVariant RewardCurveModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == OutputTokens ? tr("Output tokens") : tr("Reward");
}
