#include "annotation/item_pane.h"

#include "annotation/model.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

ItemPane::ItemPane(AnnotationModel *model, QWidget *parent) : QWidget(parent)
{
    m_text = new QTextBrowser;
    m_candidates = new QTableView;
    m_candidates->setModel(model);
    m_candidates->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_candidates->setSelectionMode(QAbstractItemView::SingleSelection);
    m_candidates->setDragDropMode(QAbstractItemView::InternalMove);
    m_candidates->setDragEnabled(true);
    m_candidates->setAcceptDrops(true);
    m_candidates->setDropIndicatorShown(true);
    m_candidates->verticalHeader()->setVisible(false);
    m_candidates->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_candidates->horizontalHeader()->setSectionResizeMode(AnnotationModel::Text, QHeaderView::Stretch);
    m_candidates->setWordWrap(true);
    m_candidates->setToolTip(tr("1–9: put at that rank · T: tie with the one above · 0: unrank · Enter: submit and next · "
                                "S: skip · F: flag · drag to reorder"));
    m_noneAcceptable = new QCheckBox(tr("None acceptable"));
    m_note = new QLineEdit;
    m_note->setPlaceholderText(tr("Note"));
    auto *write = new QPushButton(tr("Write a better answer…"));
    auto *edit = new QPushButton(tr("Edit candidate…"));
    m_saved = new QLabel;
    auto *help = new QLabel(tr("<small>Keys on the list: <b>1–9</b> rank · <b>T</b> tie with above · <b>0</b> unrank · "
                               "<b>Enter</b> submit &amp; next · <b>S</b> skip · <b>F</b> flag · Ctrl+Z / Ctrl+Shift+Z</small>"));
    help->setWordWrap(true);
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_noneAcceptable);
    tools->addWidget(write);
    tools->addWidget(edit);
    tools->addWidget(m_note, 1);
    // "saved … by …" sits beside the wrapping key help, not in the row of tools: appearing after the
    // first decision, it would widen that row's minimum and squeeze the guidelines pane beside it.
    auto *status = new QHBoxLayout;
    status->addWidget(help, 1);
    status->addWidget(m_saved, 0, Qt::AlignRight | Qt::AlignTop);
    auto *candidates = new QWidget;
    auto *cLayout = new QVBoxLayout(candidates);
    cLayout->setContentsMargins(0, 0, 0, 0);
    cLayout->addWidget(m_candidates, 1);
    cLayout->addLayout(tools);
    cLayout->addLayout(status);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_text);
    split->addWidget(candidates);
    split->setSizes({200, 500});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    connect(write, &QPushButton::clicked, this, &ItemPane::writeRequested);
    connect(edit, &QPushButton::clicked, this, &ItemPane::editRequested);
}
