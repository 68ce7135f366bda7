#pragma once

#include <QtCharts/QChartView>

class QAbstractItemModel;
class QItemSelectionModel;
namespace QtCharts {}
QT_FORWARD_DECLARE_CLASS(QBarSet)
QT_FORWARD_DECLARE_CLASS(QBarCategoryAxis)
QT_FORWARD_DECLARE_CLASS(QHorizontalBarSeries)
QT_FORWARD_DECLARE_CLASS(QValueAxis)

// Horizontal bars of the rewards, read from the (sorted) results model on
// every change of it: bars and labels follow the table's order together (a
// bar model mapper ignores re-sorts) and the bars follow its selection.
class RewardChart : public QChartView
{
    Q_OBJECT

public:
    RewardChart(QAbstractItemModel *model, int rewardColumn, int labelColumn, QWidget *parent = nullptr);
    void setSelectionModel(QItemSelectionModel *selection);
    QBarSet *barSet() const { return m_set; }

Q_SIGNALS:
    void barClicked(int row); // a row of the table's model

private Q_SLOTS:
    void refreshLater();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void refresh();
    void fitLabels(); // a label for every bar: the font shrinks before Qt would hide every other one
    void styleSet();

    QAbstractItemModel *m_model;     // the table's model
    QAbstractItemModel *m_reversed;  // its rows bottom-up: bar 0 sits at the bottom
    int m_rewardColumn, m_labelColumn;
    QItemSelectionModel *m_selection = nullptr;
    QHorizontalBarSeries *m_series;
    QBarSet *m_set;
    QBarCategoryAxis *m_categories;
    QValueAxis *m_values;
};
