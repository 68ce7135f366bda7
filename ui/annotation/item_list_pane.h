#pragma once

#include <QWidget>

class DatasetFilterModel;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QTableView;
class QTimer;

// The dataset's items: search, status, disagreement and reward filters over
// the sorted item table. Filtering is the filter model's; this only renders.
class ItemListPane : public QWidget
{
    Q_OBJECT

public:
    explicit ItemListPane(DatasetFilterModel *filter, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }
    QLineEdit *search() const { return m_search; }
    QCheckBox *rewardFilter() const { return m_rewardFilter; }
    QDoubleSpinBox *rewardMin() const { return m_rewardMin; }
    QDoubleSpinBox *rewardMax() const { return m_rewardMax; }

private:
    void fitRewardRangeToItems();
    void applySearch();

    DatasetFilterModel *m_filter;
    QTableView *m_table;
    QLineEdit *m_search;
    QComboBox *m_status, *m_queue;
    QCheckBox *m_disagree, *m_rewardFilter;
    QDoubleSpinBox *m_rewardMin, *m_rewardMax;
    bool m_rangeEdited = false; // the annotator set a bound; ticking the filter keeps it
    bool m_fittingRange = false;
    QTimer *m_searchPause;
    qint64 m_lastSearchMs = 0;
};
