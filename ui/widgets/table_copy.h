#pragma once

#include <QString>

class QAbstractItemView;
class QTableView;

// The selected rows of `view` (all of them when none is selected) with the
// header, tab-separated in the order the view shows them; a cell holding a
// tab or a line break is quoted as RFC 4180 says.
QString selectedRowsAsTsv(const QTableView *view);

// Gives a table the context menu and keys a spreadsheet user expects:
// "Copy rows" (Ctrl+C while the table has focus, which otherwise copies
// one cell) and "Select all", beside any actions the table already holds.
void addCopyRowsMenu(QTableView *view);
