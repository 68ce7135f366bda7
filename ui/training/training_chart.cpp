#include "training/training_chart.h"

#include "charts/chart_export.h"

#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

TrainingChart::TrainingChart(QWidget *parent) : QChartView(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_loss = new QLineSeries;
    m_loss->setName(tr("training loss"));
    m_accuracy = new QLineSeries;
    m_accuracy->setName(tr("held-out pairwise accuracy (%)"));
    m_accuracy->setPointsVisible(true);
    chart->addSeries(m_loss);
    chart->addSeries(m_accuracy);
    m_steps = new QValueAxis;
    m_steps->setTitleText(tr("optimizer step"));
    m_steps->setLabelFormat("%d");
    m_lossAxis = new QValueAxis;
    m_lossAxis->setTitleText(tr("loss"));
    m_accuracyAxis = new QValueAxis;
    m_accuracyAxis->setTitleText(tr("accuracy %"));
    m_accuracyAxis->setRange(0, 100);
    m_accuracyAxis->setLabelFormat("%d");
    chart->addAxis(m_steps, Qt::AlignBottom);
    chart->addAxis(m_lossAxis, Qt::AlignLeft);
    chart->addAxis(m_accuracyAxis, Qt::AlignRight);
    m_loss->attachAxis(m_steps);
    m_loss->attachAxis(m_lossAxis);
    m_accuracy->attachAxis(m_steps);
    m_accuracy->attachAxis(m_accuracyAxis);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    addChartMenu(this, QStringLiteral("training-curve.png"), [this] {
        QString out = tr("series\tstep\tvalue\n");
        for (QLineSeries *series : {m_loss, m_accuracy})
            for (const QPointF &p : series->points())
                out += QStringLiteral("%1\t%2\t%3\n").arg(series->name()).arg(qint64(p.x())).arg(p.y(), 0, 'g', 8);
        return out;
    });
    clear(1);
}

void TrainingChart::clear(int64_t totalSteps)
{
    m_loss->clear();
    m_accuracy->clear();
    m_maxLoss = 0.7; // a fresh reward model starts near log 2
    setTotalSteps(totalSteps);
    m_lossAxis->setRange(0, m_maxLoss);
}

void TrainingChart::setTotalSteps(int64_t totalSteps)
{
    m_steps->setRange(0, double(std::max<int64_t>(totalSteps, 4)));
    m_steps->applyNiceNumbers(); // whole steps on the ticks
}

void TrainingChart::addLoss(int64_t step, double loss)
{
    if (!std::isfinite(loss))
        return;
    m_loss->append(double(step), loss);
    if (loss > m_maxLoss) {
        m_maxLoss = loss * 1.1;
        m_lossAxis->setRange(0, m_maxLoss);
    }
}

void TrainingChart::addAccuracy(int64_t step, double accuracy)
{
    m_accuracy->append(double(step), 100 * accuracy);
}
