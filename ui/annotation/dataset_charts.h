#pragma once

#include "preferences/project.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;

// (label, value) rows: one bar each.
class BarTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    using QAbstractTableModel::QAbstractTableModel;
    void setBars(std::vector<std::pair<QString, double>> bars);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    std::vector<std::pair<QString, double>> m_bars;
};

// Agreement figures and three charts: rewards, chosen-minus-rejected
// margins, and the model's accuracy by its own margin.
class DatasetCharts : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetCharts(QWidget *parent = nullptr);
    void update(const std::vector<polar::AnnotatedItem> &items);
    QString agreementText() const;
    // The agreement figures of `items`, as the panel shows them.
    static QString describeAgreement(const std::vector<polar::AnnotatedItem> &items);
    BarTableModel *rewardHistogram() const { return m_rewards; }
    BarTableModel *marginHistogram() const { return m_margins; }
    BarTableModel *accuracyByMargin() const { return m_accuracy; }

private:
    QLabel *m_agreement;
    BarTableModel *m_rewards, *m_margins, *m_accuracy;
};

// Equal-width bins over [lo, hi]: (label, count).
std::vector<std::pair<QString, double>> histogram(const std::vector<double> &values, int bins);
