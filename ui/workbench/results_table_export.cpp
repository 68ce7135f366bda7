#include "workbench/results_table_export.h"

#include "util/json.h"
#include "workbench/results_model.h"
#include "workbench/workspace_document.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <optional>

namespace {

// One row of the results table as the exports write it.
struct ResultsRow
{
    std::optional<int> rank;     // none for the reference and unscored rows
    std::optional<int> number;   // the candidate's #; none for the reference
    std::optional<double> reward, marginToBest, marginToReference;
    std::optional<int> tokens;
    std::optional<bool> truncated;
    std::string text;
};

std::vector<ResultsRow> resultsRows(const QAbstractItemModel *table, const WorkspaceDocument &doc)
{
    std::vector<ResultsRow> rows;
    const auto &ws = doc.workspace();
    for (int r = 0; r < table->rowCount(); ++r) {
        auto at = [&](int column, int role = ResultsModel::UnderlyingDataRole) { return table->index(r, column).data(role); };
        const bool reference = at(ResultsModel::Rank, ResultsModel::IsReferenceRole).toBool();
        const int64_t id = at(ResultsModel::Rank, ResultsModel::IdRole).toLongLong();
        const polar::Candidate *c = reference ? nullptr : ws.find(id);
        const bool scored = reference ? ws.referenceScore.has_value() : (c && c->score.has_value());
        ResultsRow row;
        row.text = reference ? ws.reference.flattened() : c ? c->text.flattened() : std::string();
        if (!reference)
            row.number = ws.indexOf(id) + 1;
        if (scored) {
            if (!reference)
                row.rank = at(ResultsModel::Rank, Qt::DisplayRole).toInt();
            row.reward = at(ResultsModel::Reward).toDouble();
            if (!reference) {
                row.marginToBest = at(ResultsModel::MarginToBest).toDouble();
                row.marginToReference = at(ResultsModel::MarginToReference).toDouble();
            }
            row.tokens = at(ResultsModel::Tokens).toInt();
            row.truncated = at(ResultsModel::Truncated).toBool();
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

QString field(const QString &text, QChar separator)
{
    if (!text.contains(separator) && !text.contains('"') && !text.contains('\n') && !text.contains('\r'))
        return text;
    QString quoted = text;
    quoted.replace('"', "\"\"");
    return '"' + quoted + '"';
}

QString number(const std::optional<double> &v)
{
    return v ? QString::number(*v, 'g', 9) : QString();
}

template <typename T>
polar::Json orNull(const std::optional<T> &v)
{
    return v ? polar::Json(*v) : polar::Json(nullptr);
}

} // namespace

QString resultsAsDelimitedText(const QAbstractItemModel *table, const WorkspaceDocument &doc, QChar separator)
{
    QStringList lines;
    lines << QStringList{"rank", "candidate", "reward", "margin_to_best", "margin_to_reference", "tokens", "cut", "text"}.join(separator);
    for (const ResultsRow &r : resultsRows(table, doc)) {
        QStringList row;
        row << (r.rank ? QString::number(*r.rank) : QString()) << (r.number ? QString::number(*r.number) : QStringLiteral("ref"))
            << number(r.reward) << number(r.marginToBest) << number(r.marginToReference)
            << (r.tokens ? QString::number(*r.tokens) : QString())
            << (r.truncated ? (*r.truncated ? QStringLiteral("yes") : QStringLiteral("no")) : QString()) << QString::fromStdString(r.text);
        for (auto &f : row)
            f = field(f, separator);
        lines << row.join(separator);
    }
    return lines.join('\n') + '\n';
}

std::string resultsAsJsonl(const QAbstractItemModel *table, const WorkspaceDocument &doc)
{
    std::string out;
    for (const ResultsRow &r : resultsRows(table, doc)) {
        polar::Json j = {{"rank", orNull(r.rank)},
                         {"candidate", r.number ? polar::Json(*r.number) : polar::Json("ref")},
                         {"reward", orNull(r.reward)},
                         {"margin_to_best", orNull(r.marginToBest)},
                         {"margin_to_reference", orNull(r.marginToReference)},
                         {"tokens", orNull(r.tokens)},
                         {"truncated", orNull(r.truncated)},
                         {"text", r.text}};
        out += j.dump() + '\n';
    }
    return out;
}
