#pragma once

#include "charts/histogram.h"
#include "preferences/project.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;
QT_FORWARD_DECLARE_CLASS(QChartView)

// (label, value) rows: one bar each. A histogram's rows keep its bin edges,
// which its chart labels instead of the rows' names.
class BarTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    using QAbstractTableModel::QAbstractTableModel;
    void setBars(std::vector<std::pair<QString, double>> bars);
    void setHistogram(const Histogram &h);
    const Histogram &bins() const { return m_histogram; }
    QString tsv(const QString &labelHeader, const QString &valueHeader) const;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    std::vector<std::pair<QString, double>> m_bars;
    Histogram m_histogram;
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
    BarTableModel *accuracyByMargin() const { return m_accuracy; } // percent right per bin
    // 0 rewards, 1 margins, 2 accuracy: for tests and exports.
    QChartView *chart(int k) const;

private:
    QLabel *m_agreement;
    QChartView *m_charts[3] = {};
    BarTableModel *m_rewards, *m_margins, *m_accuracy;
};
