#include "annotation/dataset_item_model.h"
#include "widgets/appearance.h"

#include "preferences/metrics.h"
#include "preferences/project.h"

#include <QColor>

#include <cmath>

double DatasetItemModel::bestReward(const QModelIndex &row)
{
    const double best = row.siblingAtColumn(BestReward).data(UnderlyingDataRole).toDouble();
    return best > kUnscoredSortKey ? best : std::numeric_limits<double>::quiet_NaN();
}

DatasetItemModel::DatasetItemModel(QObject *parent) : QAbstractTableModel(parent) {}

void DatasetItemModel::setProject(const polar::PreferenceProject *project)
{
    beginResetModel();
    m_project = project;
    endResetModel();
}

void DatasetItemModel::itemChanged(size_t item)
{
    Q_EMIT dataChanged(index(int(item), 0), index(int(item), NB_COLUMNS - 1));
}

void DatasetItemModel::itemsChanged()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, NB_COLUMNS - 1));
}

int DatasetItemModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_project ? 0 : int(m_project->size());
}

int DatasetItemModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

void DatasetItemModel::setQueue(Queue queue)
{
    Q_EMIT layoutAboutToBeChanged();
    m_queue = queue;
    Q_EMIT layoutChanged();
}

QVariant DatasetItemModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const size_t i = size_t(index.row());
    const auto &rec = m_project->record(i);
    const std::vector<float> rewards = m_project->rewards(i); // empty when unscored or stale
    const bool scored = !rewards.empty();
    const double best = scored ? double(*std::max_element(rewards.begin(), rewards.end())) : std::nan("");
    switch (role) {
    case ItemRole: return qulonglong(i);
    case StatusRole: return int(m_project->status(i));
    case SearchTextRole: {
        QString s = QString::fromStdString(rec.prompt.flattened()) + '\n' + QString::fromStdString(rec.reference.flattened());
        for (const auto &c : m_project->candidates(i))
            s += '\n' + QString::fromStdString(c.flattened());
        return s;
    }
    case DisagreesRole: return polar::disagreesWithModel(m_project->effectiveRanks(i), rewards);
    case QueueRole:
        if (index.column() != Line || m_queue == Queue::FileOrder)
            return data(index, UnderlyingDataRole);
        if (m_queue == Queue::LeastCertainFirst) {
            // Undecided and scored first, by the model's top-two margin; then
            // the unscored; what is decided already, last.
            const auto margin = polar::topTwoMargin(rewards);
            const double decided = m_project->item(i).annotation.decided ? 2e12 : 0;
            return decided + (margin ? *margin : 1e12);
        } else {
            // Ranked and scored items where the model agrees least with the ranking first.
            const auto a = polar::itemAgreement(m_project->effectiveRanks(i), rewards);
            return a.pairs ? a.accuracy() : 2.0;
        }
    case UnderlyingDataRole:
        switch (index.column()) {
        case Line: return qulonglong(rec.line);
        case Status: return int(m_project->status(i));
        case Prompt: return QString::fromStdString(rec.prompt.flattened());
        case Candidates: return int(m_project->candidates(i).size());
        case BestReward: return scored ? best : kUnscoredSortKey;
        case Agreement: return polar::disagreesWithModel(m_project->effectiveRanks(i), rewards) ? 1 : 0;
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Line: return qulonglong(rec.line);
        case Status: return QString::fromLatin1(polar::itemStatusName(m_project->status(i)));
        case Prompt: return QString::fromStdString(rec.prompt.flattened()).simplified().left(160);
        case Candidates: return int(m_project->candidates(i).size());
        case BestReward:
            return scored ? QString::number(best, 'f', 3) : m_project->rewardsStale(i) ? tr("stale") : QString();
        case Agreement: {
            const auto ranks = m_project->effectiveRanks(i);
            if (ranks.empty() || !scored)
                return QString();
            return polar::disagreesWithModel(ranks, rewards) ? tr("✗ disagrees") : tr("✓ agrees");
        }
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == BestReward && m_project->rewardsFromOtherModel(i))
            return tr("Scored by %1, not by the loaded model %2: score the dataset again for its rewards.")
                .arg(QString::fromStdString(m_project->item(i).rewardModel), QString::fromStdString(m_project->scoringModel()));
        if (index.column() == BestReward && m_project->rewardsStale(i))
            return tr("A candidate was edited or added after scoring: score the dataset again for fresh rewards.");
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Agreement && polar::disagreesWithModel(m_project->effectiveRanks(i), rewards))
            return Appearance::tone(Appearance::Tone::Bad);
        if (index.column() == Status) {
            switch (m_project->status(i)) {
            case polar::ItemStatus::Annotated: return Appearance::tone(Appearance::Tone::Good);
            case polar::ItemStatus::Flagged: return Appearance::tone(Appearance::Tone::Warning);
            case polar::ItemStatus::Skipped: return Appearance::tone(Appearance::Tone::Muted);
            default: return {};
            }
        }
        return {};
    }
    return {};
}

QVariant DatasetItemModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    // Short headers leave the prompt its width on a 1280-pixel screen; the
    // tooltips say what each column means.
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Line: return tr("The record's line in the dataset file");
        case Status: return tr("new, scored, annotated, skipped or flagged");
        case Prompt: return tr("The record's prompt");
        case Candidates: return tr("Candidates: the dataset's outputs plus the ones you wrote");
        case BestReward: return tr("The highest reward among the candidates, by the loaded model");
        case Agreement: return tr("Whether the model's ranking agrees with yours on every pair");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Line: return tr("Line");
    case Status: return tr("Status");
    case Prompt: return tr("Prompt");
    case Candidates: return tr("Outs");
    case BestReward: return tr("Best");
    case Agreement: return tr("Model");
    }
    return {};
}

void DatasetFilterModel::setQueue(DatasetItemModel::Queue queue)
{
    if (auto *m = qobject_cast<DatasetItemModel *>(sourceModel()))
        m->setQueue(queue);
    setSortRole(DatasetItemModel::QueueRole);
    sort(DatasetItemModel::Line, Qt::AscendingOrder);
}

void DatasetFilterModel::refilter()
{
    // A full rebuild, not invalidateFilter(): that one inserts and removes the
    // rows whose acceptance changed range by range, quadratic when they
    // interleave (0.7-1.5 s to widen a filter over 100,000 items, 10 ms so).
    // The view keeps its current row through the layout change when the row
    // is still accepted.
    invalidate();
}

void DatasetFilterModel::setSearch(const QString &text)
{
    m_search = text;
    refilter();
}

void DatasetFilterModel::setStatus(int status)
{
    m_status = status;
    refilter();
}

void DatasetFilterModel::setDisagreementOnly(bool on)
{
    m_disagreement = on;
    refilter();
}

void DatasetFilterModel::setRewardRange(double lo, double hi)
{
    m_lo = lo;
    m_hi = hi;
    refilter();
}

bool DatasetFilterModel::filterAcceptsRow(int row, const QModelIndex &parent) const
{
    const QAbstractItemModel *m = sourceModel();
    const QModelIndex idx = m->index(row, 0, parent);
    if (m_status >= 0 && m->data(idx, DatasetItemModel::StatusRole).toInt() != m_status)
        return false;
    if (m_disagreement && !m->data(idx, DatasetItemModel::DisagreesRole).toBool())
        return false;
    if (!std::isnan(m_lo) || !std::isnan(m_hi)) {
        const double best = DatasetItemModel::bestReward(idx);
        if (std::isnan(best) || (!std::isnan(m_lo) && best < m_lo) || (!std::isnan(m_hi) && best > m_hi))
            return false;
    }
    if (!m_search.isEmpty() && !m->data(idx, DatasetItemModel::SearchTextRole).toString().contains(m_search, Qt::CaseInsensitive))
        return false;
    return true;
}
