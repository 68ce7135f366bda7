#include "workbench/results_table_export.h"

#include "workbench/results_model.h"
#include "workbench/workspace_document.h"

#include <QAbstractItemModel>
#include <QStringList>

namespace {

QString field(const QString &text, QChar separator)
{
    if (!text.contains(separator) && !text.contains('"') && !text.contains('\n') && !text.contains('\r'))
        return text;
    QString quoted = text;
    quoted.replace('"', "\"\"");
    return '"' + quoted + '"';
}

QString number(const QVariant &v, bool scored)
{
    return scored ? QString::number(v.toDouble(), 'g', 9) : QString();
}

} // namespace

QString resultsAsDelimitedText(const QAbstractItemModel *table, const WorkspaceDocument &doc, QChar separator)
{
    QStringList lines;
    lines << QStringList{"rank", "candidate", "reward", "margin_to_best", "margin_to_reference", "tokens", "cut", "text"}.join(separator);
    const auto &ws = doc.workspace();
    for (int r = 0; r < table->rowCount(); ++r) {
        auto at = [&](int column, int role = Qt::DisplayRole) { return table->index(r, column).data(role); };
        const bool reference = at(ResultsModel::Rank, ResultsModel::IsReferenceRole).toBool();
        const int64_t id = at(ResultsModel::Rank, ResultsModel::IdRole).toLongLong();
        const polar::Candidate *c = reference ? nullptr : ws.find(id);
        const bool scored = reference ? ws.referenceScore.has_value() : (c && c->score.has_value());
        const QString text = QString::fromStdString(reference ? ws.reference.flattened() : c ? c->text.flattened() : std::string());
        QStringList row;
        row << (reference || !scored ? QString() : at(ResultsModel::Rank).toString())
            << (reference ? QStringLiteral("ref") : QString::number(ws.indexOf(id) + 1))
            << number(at(ResultsModel::Reward, ResultsModel::UnderlyingDataRole), scored)
            << number(at(ResultsModel::MarginToBest, ResultsModel::UnderlyingDataRole), scored && !reference)
            << number(at(ResultsModel::MarginToReference, ResultsModel::UnderlyingDataRole), scored && !reference)
            << (scored ? at(ResultsModel::Tokens, ResultsModel::UnderlyingDataRole).toString() : QString())
            << (scored ? (at(ResultsModel::Truncated, ResultsModel::UnderlyingDataRole).toBool() ? "yes" : "no") : QString())
            << text;
        for (auto &f : row)
            f = field(f, separator);
        lines << row.join(separator);
    }
    return lines.join('\n') + '\n';
}
