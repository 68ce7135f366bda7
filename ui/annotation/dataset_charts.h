#pragma once

#include "analysis/length_bias.h"
#include "analysis/statistics.h"
#include "charts/histogram.h"
#include "preferences/project.h"

#include <QAbstractTableModel>
#include <QMetaType>
#include <QWidget>

Q_DECLARE_METATYPE(polar::LengthBiasReport)

class QLabel;
QT_FORWARD_DECLARE_CLASS(QLineSeries)
QT_FORWARD_DECLARE_CLASS(QScatterSeries)
QT_FORWARD_DECLARE_CLASS(QValueAxis)
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
    // 0 rewards, 1 margins, 2 accuracy, 3 reward vs length, 4 calibration: for tests and exports.
    QChartView *chart(int k) const;
    // Reward against output length and the length-only baselines: computed
    // on the engine thread, whose tokenizer measures the lengths.
    void setLengthBias(const polar::LengthBiasReport &report);
    // Why the lengths are not measured now (no model, scoring under way); the
    // last measured points stay on the chart.
    void setLengthNote(const QString &why);
    const polar::Calibration &calibration() const { return m_calibration; }
    QString lengthText() const;
    const polar::LengthBiasReport &lengthBias() const { return m_lengthReport; }

private:
    QLabel *m_agreement, *m_length;
    QChartView *m_charts[5] = {};
    QScatterSeries *m_lengthPoints;
    QValueAxis *m_lengthX, *m_lengthY;
    QLineSeries *m_reliability, *m_ideal;
    polar::Calibration m_calibration;
    polar::LengthBiasReport m_lengthReport;
    BarTableModel *m_rewards, *m_margins, *m_accuracy;
};
