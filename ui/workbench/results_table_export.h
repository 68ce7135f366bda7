#pragma once

#include <QChar>
#include <QString>

#include <string>

class QAbstractItemModel;
class WorkspaceDocument;

// The results table as delimited text, in the order the table shows it: rank,
// candidate number ("ref" for the reference row), reward and margins at full
// precision, tokens, cut, and the candidate's whole text. Fields holding the
// separator, a quote or a line break are quoted as RFC 4180 says, which both
// spreadsheets and Python's csv module read back. `table` is the table's
// (sorted) model over a ResultsModel.
QString resultsAsDelimitedText(const QAbstractItemModel *table, const WorkspaceDocument &doc, QChar separator);

// The same rows as JSON Lines: numbers as numbers, null where a row has none
// (the reference's rank and margins, unscored rows), "ref" for the reference.
std::string resultsAsJsonl(const QAbstractItemModel *table, const WorkspaceDocument &doc);
