#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace polar {
class PreferenceProject;
}

// The items of a dataset project, one row each, computed on demand (no copy
// of the 100,000 records), for the item list.
class DatasetItemModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Line, Status, Prompt, Candidates, BestReward, Agreement, NB_COLUMNS };
    enum Role { UnderlyingDataRole = Qt::UserRole, ItemRole, SearchTextRole, DisagreesRole, StatusRole, QueueRole };
    // The order items come in (Enter moves to the next in it).
    enum class Queue { FileOrder, LeastCertainFirst, MostDisagreementFirst };
    void setQueue(Queue queue);
    Queue queue() const { return m_queue; }

    // The best reward of the item on `row`'s row, NaN while it is unscored (the column's
    // UnderlyingDataRole sorts those last with kUnscoredSortKey).
    static double bestReward(const QModelIndex &row);
    static constexpr double kUnscoredSortKey = -1e300;

    explicit DatasetItemModel(QObject *parent = nullptr);
    void setProject(const polar::PreferenceProject *project);
    void itemChanged(size_t item);   // an annotation or rewards changed
    void itemsChanged();             // many rewards arrived

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Queue m_queue = Queue::FileOrder;
    const polar::PreferenceProject *m_project = nullptr;
};

// Text search and filters over the item list.
class DatasetFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setSearch(const QString &text);
    void setStatus(int status); // -1: any, else polar::ItemStatus
    void setDisagreementOnly(bool on);
    void setRewardRange(double lo, double hi); // on the best reward; NaN disables a bound
    void setQueue(DatasetItemModel::Queue queue); // sorts by it (a header click sorts by that column again)

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override;

private:
    void refilter();
    QString m_search;
    int m_status = -1;
    bool m_disagreement = false;
    double m_lo = std::numeric_limits<double>::quiet_NaN();
    double m_hi = std::numeric_limits<double>::quiet_NaN();
};
