#pragma once

#include <QWidget>

class DatasetFilterModel;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QTableView;

// The dataset's items: search, status, disagreement and reward filters over
// the sorted item table. Filtering is the filter model's; this only renders.
class ItemListPane : public QWidget
{
    Q_OBJECT

public:
    explicit ItemListPane(DatasetFilterModel *filter, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }
    QLineEdit *search() const { return m_search; }

private:
    DatasetFilterModel *m_filter;
    QTableView *m_table;
    QLineEdit *m_search;
    QComboBox *m_status, *m_queue;
    QCheckBox *m_disagree, *m_rewardFilter;
    QDoubleSpinBox *m_rewardMin, *m_rewardMax;
};
