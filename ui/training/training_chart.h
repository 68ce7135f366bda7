#pragma once

#include <QtCharts/QChartView>

class QLineSeries;
class QValueAxis;

// Training loss per optimizer step (left axis) and held-out pairwise
// accuracy at each validation (right axis, 0-100%).
class TrainingChart : public QChartView
{
    Q_OBJECT

public:
    explicit TrainingChart(QWidget *parent = nullptr);
    void clear(int64_t totalSteps);
    void setTotalSteps(int64_t totalSteps);
    void addLoss(int64_t step, double loss);
    void addAccuracy(int64_t step, double accuracy);

private:
    QLineSeries *m_loss, *m_accuracy;
    QValueAxis *m_steps, *m_lossAxis, *m_accuracyAxis;
    double m_maxLoss = 0;
};
