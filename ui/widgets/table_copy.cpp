#include "widgets/table_copy.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>

#include <algorithm>

namespace {

QString field(QString text)
{
    if (text.contains('\t') || text.contains('\n') || text.contains('"'))
        return '"' + text.replace('"', QStringLiteral("\"\"")) + '"';
    return text;
}

} // namespace

QString selectedRowsAsTsv(const QTableView *view)
{
    const QAbstractItemModel *model = view->model();
    if (!model)
        return {};
    const QHeaderView *header = view->horizontalHeader();
    std::vector<int> columns; // in the order shown, hidden ones left out
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!view->isColumnHidden(logical))
            columns.push_back(logical);
    }
    std::vector<int> rows;
    if (view->selectionModel())
        for (const QModelIndex &i : view->selectionModel()->selectedIndexes())
            rows.push_back(i.row());
    if (rows.empty())
        for (int r = 0; r < model->rowCount(); ++r)
            rows.push_back(r);
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

    QStringList lines, cells;
    for (int c : columns)
        cells << field(model->headerData(c, Qt::Horizontal).toString());
    lines << cells.join('\t');
    for (int r : rows) {
        cells.clear();
        for (int c : columns) {
            // The full text where a model keeps one behind an elided cell.
            const QModelIndex index = model->index(r, c);
            const QVariant tip = index.data(Qt::ToolTipRole);
            const QString shown = index.data(Qt::DisplayRole).toString();
            cells << field(shown.endsWith(QChar(0x2026)) && tip.isValid() ? tip.toString() : shown);
        }
        lines << cells.join('\t');
    }
    return lines.join('\n') + '\n';
}

void addCopyRowsMenu(QTableView *view)
{
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copy = new QAction(QObject::tr("&Copy rows"), view);
    copy->setObjectName("copyRows");
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut); // this table's Ctrl+C only
    QObject::connect(copy, &QAction::triggered, view, [view] { QApplication::clipboard()->setText(selectedRowsAsTsv(view)); });
    auto *all = new QAction(QObject::tr("Select &all"), view);
    all->setObjectName("selectAllRows");
    QObject::connect(all, &QAction::triggered, view, &QTableView::selectAll);
    view->addActions({copy, all});
}
