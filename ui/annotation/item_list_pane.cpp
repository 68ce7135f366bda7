#include "annotation/item_list_pane.h"

#include "annotation/dataset_item_model.h"
#include "preferences/project.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

ItemListPane::ItemListPane(DatasetFilterModel *filter, QWidget *parent) : QWidget(parent), m_filter(filter)
{
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search prompts, references and outputs"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(160);
    m_status = new QComboBox;
    m_status->addItem(tr("Any status"), -1);
    for (auto s : {polar::ItemStatus::New, polar::ItemStatus::Scored, polar::ItemStatus::Annotated, polar::ItemStatus::Flagged,
                   polar::ItemStatus::Skipped})
        m_status->addItem(QString::fromLatin1(polar::itemStatusName(s)), int(s));
    m_queue = new QComboBox;
    m_queue->setObjectName("queue");
    m_queue->addItem(tr("File order"), int(DatasetItemModel::Queue::FileOrder));
    m_queue->addItem(tr("Least certain"), int(DatasetItemModel::Queue::LeastCertainFirst));
    m_queue->addItem(tr("Most disagreement"), int(DatasetItemModel::Queue::MostDisagreementFirst));
    m_queue->setToolTip(tr("The order Enter moves through. Least certain first: undecided items whose two best candidates are "
                           "closest in reward. Most disagreement first: ranked items where the model agrees least with you."));
    m_disagree = new QCheckBox(tr("Disagrees with model"));
    m_rewardFilter = new QCheckBox(tr("Best reward in"));
    m_rewardMin = new QDoubleSpinBox;
    m_rewardMax = new QDoubleSpinBox;
    for (auto *s : {m_rewardMin, m_rewardMax}) {
        s->setRange(-1000, 1000);
        s->setDecimals(2);
    }
    m_rewardMin->setValue(-10);
    m_rewardMax->setValue(10);

    m_table = new QTableView;
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DatasetItemModel::Line, Qt::AscendingOrder);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(DatasetItemModel::Prompt, QHeaderView::Stretch);
    m_table->setWordWrap(false);

    // Two rows, so the pane stays narrow enough for a 1280-pixel screen.
    auto *search = new QHBoxLayout;
    search->addWidget(m_search, 1);
    search->addWidget(m_status);
    search->addWidget(m_queue);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_disagree);
    filters->addStretch(1);
    filters->addWidget(m_rewardFilter);
    filters->addWidget(m_rewardMin);
    filters->addWidget(m_rewardMax);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(search);
    layout->addLayout(filters);
    layout->addWidget(m_table);

    // Searching a long list takes a while per keystroke (0.4 s over 100,000
    // items): once a search has taken that long, the next waits for a pause
    // in the typing (Enter searches at once).
    m_searchPause = new QTimer(this);
    m_searchPause->setSingleShot(true);
    m_searchPause->setInterval(300);
    connect(m_searchPause, &QTimer::timeout, this, &ItemListPane::applySearch);
    connect(m_search, &QLineEdit::textChanged, this, [this] {
        if (m_lastSearchMs > 50)
            m_searchPause->start();
        else
            applySearch();
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_searchPause->isActive())
            applySearch();
    });
    connect(m_status, &QComboBox::currentIndexChanged, this, [this] { m_filter->setStatus(m_status->currentData().toInt()); });
    connect(m_disagree, &QCheckBox::toggled, m_filter, &DatasetFilterModel::setDisagreementOnly);
    connect(m_queue, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setQueue(DatasetItemModel::Queue(m_queue->currentData().toInt()));
        m_table->horizontalHeader()->setSortIndicator(DatasetItemModel::Line, Qt::AscendingOrder);
    });
    auto rewardRange = [this] {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        m_filter->setRewardRange(m_rewardFilter->isChecked() ? m_rewardMin->value() : nan,
                                 m_rewardFilter->isChecked() ? m_rewardMax->value() : nan);
    };
    // Ticked before any bound was set, the filter starts from the best rewards there are (a
    // model's rewards need not lie in the placeholder -10..10), so nothing vanishes at the tick.
    connect(m_rewardFilter, &QCheckBox::toggled, this, [this](bool on) {
        if (on && !m_rangeEdited)
            fitRewardRangeToItems();
    });
    connect(m_rewardFilter, &QCheckBox::toggled, this, rewardRange);
    for (auto *s : {m_rewardMin, m_rewardMax})
        connect(s, &QDoubleSpinBox::valueChanged, this, [this, rewardRange] {
            if (m_fittingRange) // the tick itself applies the fitted range, once
                return;
            m_rangeEdited = true;
            rewardRange();
        });
}

void ItemListPane::applySearch()
{
    m_searchPause->stop();
    QElapsedTimer took;
    took.start();
    m_filter->setSearch(m_search->text());
    m_lastSearchMs = took.elapsed();
}

void ItemListPane::fitRewardRangeToItems()
{
    const QAbstractItemModel *items = m_filter->sourceModel();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int row = 0; items && row < items->rowCount(); ++row) {
        const double best = DatasetItemModel::bestReward(items->index(row, 0));
        if (std::isnan(best))
            continue;
        lo = std::min(lo, best);
        hi = std::max(hi, best);
    }
    if (lo > hi)
        return;
    m_fittingRange = true;
    for (auto *s : {m_rewardMin, m_rewardMax})
        s->setRange(std::min(s->minimum(), std::floor(lo)), std::max(s->maximum(), std::ceil(hi)));
    m_rewardMin->setValue(std::floor(lo));
    m_rewardMax->setValue(std::ceil(hi));
    m_fittingRange = false;
}
