#include "workbench/results_model.h"
#include "widgets/appearance.h"

#include "widgets/difference_preview.h"

#include "preferences/pairs.h"
#include "workbench/workspace_document.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <algorithm>
#include <iterator>

ResultsModel::ResultsModel(WorkspaceDocument *doc, QObject *parent) : QAbstractTableModel(parent), m_doc(doc)
{
    // Rows follow the candidate list. New scores or an edited text change the
    // rows' data in place, so views keep their selection and sort; rows added,
    // removed or reordered, or another workspace (whose ids mean other
    // candidates), reset this small table.
    connect(doc, &WorkspaceDocument::workspaceReset, this, [this] { rebuild(Update::Reset); });
    connect(doc, &WorkspaceDocument::scoresChanged, this, [this] { rebuild(Update::InPlace); });
    connect(doc, &WorkspaceDocument::candidateTextChanged, this, [this] { rebuild(Update::InPlace); });
    rebuild(Update::Reset);
}

void ResultsModel::rebuild(Update update)
{
    const auto &ws = m_doc->workspace();
    std::vector<Row> rows;
    std::vector<double> rewards;
    std::vector<size_t> scoredRows;
    QStringList texts;
    for (const auto &c : ws.candidates)
        texts << QString::fromStdString(c.text.flattened());
    const QStringList previews = differencePreviews(texts); // near-identical candidates show where they differ
    for (size_t i = 0; i < ws.candidates.size(); ++i) {
        const auto &c = ws.candidates[i];
        Row r{c.id, false, int(i + 1), previews[int(i)].left(200), c.score.has_value(),
              c.score ? double(c.score->reward) : 0.0, c.score ? c.score->tokens : 0,
              c.score ? QString::fromStdString(c.score->truncation) : QString(), 0};
        if (r.scored) {
            rewards.push_back(r.reward);
            scoredRows.push_back(rows.size());
        }
        rows.push_back(r);
    }
    const auto ranks = polar::ranksFromScores(rewards);
    for (size_t k = 0; k < scoredRows.size(); ++k)
        rows[scoredRows[k]].rank = ranks[k];
    if (ws.referenceScore)
        rows.push_back({polar::kReferenceRowId, true, 0, tr("Reference (anchor)"), true, double(ws.referenceScore->reward),
                        ws.referenceScore->tokens, QString::fromStdString(ws.referenceScore->truncation), 0});
    publish(std::move(rows), update, rewards.empty() ? std::nullopt : std::optional<double>(*std::max_element(rewards.begin(), rewards.end())),
            ws.referenceScore ? std::optional<double>(ws.referenceScore->reward) : std::nullopt);
}

void ResultsModel::publish(std::vector<Row> rows, Update update, std::optional<double> best, std::optional<double> reference)
{
    const size_t common = std::min(rows.size(), m_rows.size());
    const bool sameRows = std::equal(rows.begin(), rows.begin() + std::ptrdiff_t(common), m_rows.begin(),
                                     [](const Row &a, const Row &b) { return a.id == b.id; });
    if (update == Update::Reset || !sameRows) {
        // Rows removed from the middle or moved: a reset (views read the old rows until it begins).
        beginResetModel();
        m_rows = std::move(rows);
        m_best = best;
        m_reference = reference;
        endResetModel();
        return;
    }
    // The same rows, then some appended or dropped at the end (the reference's
    // anchor row, a candidate added last): first the rows both have, in place
    // (ranks and margins move with any reward), then the end.
    std::move(rows.begin(), rows.begin() + std::ptrdiff_t(common), m_rows.begin());
    m_best = best;
    m_reference = reference;
    if (common > 0)
        Q_EMIT dataChanged(index(0, 0), index(int(common) - 1, NB_COLUMNS - 1));
    const int before = int(m_rows.size()), after = int(rows.size());
    if (after < before) {
        beginRemoveRows({}, after, before - 1);
        m_rows.resize(size_t(after));
        endRemoveRows();
    } else if (after > before) {
        beginInsertRows({}, before, after - 1);
        std::move(rows.begin() + before, rows.end(), std::back_inserter(m_rows));
        endInsertRows();
    }
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

int64_t ResultsModel::idAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].id : -1;
}

int ResultsModel::rowOfId(int64_t id) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return int(i);
    return -1;
}

bool ResultsModel::hasScores() const
{
    return m_best.has_value();
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &r = m_rows[size_t(index.row())];
    const int col = index.column();
    if (role == IdRole)
        return QVariant::fromValue<qlonglong>(r.id);
    if (role == IsReferenceRole)
        return r.isReference;
    if (role == UnderlyingDataRole) {
        switch (col) {
        case Rank: return r.isReference ? 1e9 : r.rank ? r.rank : 1e9 + 1; // reference and unscored sort last
        case Candidate: return r.isReference ? 0 : r.number;
        case Reward: return r.scored ? r.reward : 0.0;
        case MarginToBest: return r.scored && m_best ? r.reward - *m_best : 0.0;
        case MarginToReference: return r.scored && m_reference ? r.reward - *m_reference : 0.0;
        case Tokens: return r.tokens;
        case Truncated: return !r.truncation.isEmpty();
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        auto signedValue = [](double v) {
            if (std::abs(v) < 0.0005) // would print as 0.000 anyway
                return QStringLiteral("±0.000");
            return QStringLiteral("%1%2").arg(v > 0 ? "+" : "−").arg(std::abs(v), 0, 'f', 3);
        };
        switch (col) {
        case Rank: return r.isReference ? tr("ref") : r.rank ? QString::number(r.rank) : QStringLiteral("–");
        case Candidate: return r.isReference ? r.preview : QStringLiteral("#%1  %2").arg(r.number).arg(r.preview);
        case Reward: return r.scored ? QString::number(r.reward, 'f', 3) : QStringLiteral("–");
        case MarginToBest: return r.scored && m_best ? signedValue(r.reward - *m_best) : QString();
        case MarginToReference:
            return r.scored && m_reference && !r.isReference ? signedValue(r.reward - *m_reference) : QString();
        case Tokens: return r.scored ? QString::number(r.tokens) : QString();
        case Truncated: return r.truncation.isEmpty() ? QString() : QStringLiteral("✂");
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (col == Truncated && !r.truncation.isEmpty())
            return tr("Truncated: %1").arg(r.truncation);
        if (col == Candidate) {
            if (r.isReference)
                return tr("The reference scored as if it were a candidate: the anchor for margins");
            if (const polar::Candidate *c = m_doc->workspace().find(r.id))
                return QString::fromStdString(c->text.flattened()).left(2000);
            return r.preview;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole && col != Candidate)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::FontRole && r.isReference) {
        QFont f;
        f.setItalic(true);
        return f;
    }
    if (role == Qt::BackgroundRole && r.isReference)
        return QBrush(QColor(0xee, 0xf2, 0xf8));
    if (role == Qt::ForegroundRole && r.isReference)
        return QBrush(Appearance::textOnPastel()); // the row's own background, in every theme
    if (role == Qt::ForegroundRole && col == MarginToBest && r.scored && m_best && r.reward - *m_best < 0)
        return QBrush(Appearance::tone(Appearance::Tone::Muted));
    return {};
}

QVariant ResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        switch (section) {
        case Rank: return tr("Rank among the scored candidates: 1 has the highest reward");
        case Candidate: return tr("The candidate's number in the list, and its text");
        case Reward: return tr("The reward model's score: the value head on the last token of the encoded input");
        case MarginToBest: return tr("Reward minus the best candidate's reward (0 for the best)");
        case MarginToReference: return tr("Reward minus the reference's own reward (the reference scored as if it were a "
                                          "candidate): above 0, the model likes this answer more than the reference");
        case Tokens: return tr("Tokens of the whole encoded input: prompt, reference, prompt again and this candidate, "
                               "with the special tokens");
        case Truncated: return tr("Whether the input was cut to fit the maximum length (hover a row for what was cut)");
        }
        return {};
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Rank: return tr("Rank");
    case Candidate: return tr("Candidate");
    case Reward: return tr("Reward");
    case MarginToBest: return tr("Δ best");
    case MarginToReference: return tr("Δ reference");
    case Tokens: return tr("Tokens");
    case Truncated: return tr("Cut");
    }
    return {};
}
