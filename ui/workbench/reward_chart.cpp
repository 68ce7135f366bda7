#include "workbench/reward_chart.h"

#include "workbench/results_model.h"

#include <QAbstractItemModel>
#include <QItemSelectionModel>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QHorizontalBarSeries>
#include <QtCharts/QValueAxis>

#include <QFontInfo>
#include <QIdentityProxyModel>

#include <cmath>

namespace {

// Rows in reverse order, so the table's first row is the chart's top bar.
class ReversedRows : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override
    {
        if (parent.isValid() || row < 0 || row >= rowCount() || column < 0 || column >= columnCount())
            return {};
        return createIndex(row, column);
    }
    QModelIndex mapToSource(const QModelIndex &proxy) const override
    {
        if (!proxy.isValid() || !sourceModel())
            return {};
        return sourceModel()->index(rowCount() - 1 - proxy.row(), proxy.column());
    }
    QModelIndex mapFromSource(const QModelIndex &source) const override
    {
        if (!source.isValid())
            return {};
        return index(rowCount() - 1 - source.row(), source.column());
    }
    QModelIndex parent(const QModelIndex &) const override { return {}; }
    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() || !sourceModel() ? 0 : sourceModel()->rowCount();
    }
};

} // namespace

RewardChart::RewardChart(QAbstractItemModel *model, int rewardColumn, int labelColumn, QWidget *parent)
    : QChartView(parent), m_model(model), m_rewardColumn(rewardColumn), m_labelColumn(labelColumn)
{
    auto *reversed = new ReversedRows(this);
    reversed->setSourceModel(model);
    m_reversed = reversed;
    auto *chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    m_series = new QHorizontalBarSeries;
    m_series->setBarWidth(0.7);
    m_set = new QBarSet(tr("reward"));
    m_series->append(m_set);
    connect(m_set, &QBarSet::clicked, this, [this](int bar) { Q_EMIT barClicked(m_reversed->rowCount() - 1 - bar); });
    chart->addSeries(m_series);

    m_categories = new QBarCategoryAxis;
    m_categories->setTruncateLabels(false); // "#12" and "ref" always fit
    m_values = new QValueAxis;
    m_values->setLabelFormat("%.1f");
    chart->addAxis(m_categories, Qt::AlignLeft);
    chart->addAxis(m_values, Qt::AlignBottom);
    m_series->attachAxis(m_categories);
    m_series->attachAxis(m_values);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(150);

    // Queued: a burst of changes (a reset, then rows) redraws once.
    for (const char *signal : {SIGNAL(modelReset()), SIGNAL(layoutChanged()), SIGNAL(rowsInserted(QModelIndex, int, int)),
                               SIGNAL(rowsRemoved(QModelIndex, int, int)), SIGNAL(dataChanged(QModelIndex, QModelIndex))})
        connect(m_reversed, signal, this, SLOT(refreshLater()));
    refresh();
}

void RewardChart::setSelectionModel(QItemSelectionModel *selection)
{
    m_selection = selection;
    connect(selection, &QItemSelectionModel::selectionChanged, this, &RewardChart::refresh);
}

void RewardChart::refreshLater()
{
    QMetaObject::invokeMethod(this, &RewardChart::refresh, Qt::QueuedConnection);
}

void RewardChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    refreshLater(); // the plot area is laid out after the resize
}

void RewardChart::fitLabels()
{
    const int rows = int(m_categories->count());
    const double plot = chart()->plotArea().height();
    if (rows == 0 || plot <= 0)
        return;
    QFont font = m_categories->labelsFont();
    // QBarCategoryAxis hides labels that would overlap: every row gets at
    // most its share of the plot's height, and no less than 6 pixels.
    const int fit = std::max(6, int(plot / rows * 0.7)); // the axis wants some space between labels
    const int natural = QFontInfo(this->font()).pixelSize();
    const int size = std::min(natural, fit);
    if (font.pixelSize() != size) {
        font.setPixelSize(size);
        m_categories->setLabelsFont(font);
    }
}

void RewardChart::styleSet()
{
    m_set->setColor(QColor(0x3b, 0x6e, 0xa8));
    m_set->setSelectedColor(QColor(0xe0, 0x8a, 0x1e));
    m_set->setBorderColor(Qt::transparent);
}

void RewardChart::refresh()
{
    styleSet();
    QStringList labels;
    QList<qreal> values;
    double lo = 0, hi = 0;
    for (int r = 0; r < m_reversed->rowCount(); ++r) {
        const QModelIndex label = m_reversed->index(r, m_labelColumn);
        labels << (label.data(ResultsModel::IsReferenceRole).toBool() ? tr("ref")
                                                                      : label.data(Qt::DisplayRole).toString().section(' ', 0, 0));
        const QVariant reward = m_reversed->index(r, m_rewardColumn).data(ResultsModel::UnderlyingDataRole);
        const double v = reward.isValid() ? reward.toDouble() : 0.0; // unscored rows: no bar
        values << v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (m_set->count() != values.size()) {
        m_set->remove(0, m_set->count());
        m_set->append(values);
    } else {
        for (int i = 0; i < values.size(); ++i)
            m_set->replace(i, values[i]);
    }
    m_categories->setCategories(labels);
    fitLabels();
    const double pad = std::max(0.5, (hi - lo) * 0.08);
    m_values->setRange(std::floor(lo - (lo < 0 ? pad : 0)), std::ceil(hi + pad));
    m_values->applyNiceNumbers();
    QList<int> selected;
    if (m_selection)
        for (const QModelIndex &i : m_selection->selectedRows())
            selected << m_reversed->rowCount() - 1 - i.row();
    m_set->deselectBars(m_set->selectedBars());
    m_set->selectBars(selected);
}
