#include "annotation/model.h"
#include "widgets/appearance.h"

#include "preferences/pairs.h"
#include "preferences/ranking_edit.h"

#include <QBrush>
#include <QColor>
#include <QMimeData>

namespace {
const char *kMime = "application/x-polar-candidate";
}

AnnotationModel::AnnotationModel(QObject *parent) : QAbstractTableModel(parent) {}

void AnnotationModel::setItem(std::vector<polar::TextField> candidates, const polar::DatasetRecord &record,
                              std::vector<float> rewards, const polar::Annotation &draft, bool keepOrder)
{
    beginResetModel();
    m_candidates = std::move(candidates);
    m_datasetOutputs = record.outputs.size();
    m_chosenRejected = record.kind == polar::DatasetRecord::Kind::ChosenRejected;
    m_rewards = std::move(rewards);
    m_draft = draft;
    m_draft.ranks.resize(m_candidates.size(), 0);
    std::vector<double> r(m_rewards.begin(), m_rewards.end());
    m_modelRanks = m_rewards.size() == m_candidates.size() ? polar::ranksFromScores(r) : std::vector<int>{};
    // While the annotator ranks one item its rows stay where they are, so
    // "the next candidate" is the row below; a new item shows ranked first.
    if (!keepOrder || m_order.size() > m_candidates.size()) {
        // Within a level, and among the unranked, the order the candidates
        // were shown in; answers written since come after it.
        std::vector<size_t> shown = m_draft.shownOrder;
        for (size_t c = 0; c < m_candidates.size(); ++c)
            if (std::find(shown.begin(), shown.end(), c) == shown.end())
                shown.push_back(c);
        m_order = polar::displayOrder(m_draft.ranks, shown);
    } else {
        for (size_t c = m_order.size(); c < m_candidates.size(); ++c)
            m_order.push_back(c); // an answer written since: at the end
    }
    // A candidate is in conflict when some pair it is in has opposite orders.
    m_conflict.assign(m_candidates.size(), false);
    if (!m_modelRanks.empty())
        for (size_t a = 0; a < m_candidates.size(); ++a)
            for (size_t b = 0; b < m_candidates.size(); ++b) {
                const int ha = m_draft.ranks[a], hb = m_draft.ranks[b];
                if (ha > 0 && hb > 0 && ha < hb && m_rewards[a] <= m_rewards[b])
                    m_conflict[a] = m_conflict[b] = true;
            }
    endResetModel();
}

size_t AnnotationModel::candidateAt(int row) const
{
    return row >= 0 && size_t(row) < m_order.size() ? m_order[size_t(row)] : size_t(-1);
}

int AnnotationModel::rowOf(size_t candidate) const
{
    for (size_t r = 0; r < m_order.size(); ++r)
        if (m_order[r] == candidate)
            return int(r);
    return -1;
}

int AnnotationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_order.size());
}

int AnnotationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant AnnotationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const size_t c = m_order[size_t(index.row())];
    const bool scored = c < m_rewards.size();
    if (role == CandidateRole)
        return qulonglong(c);
    if (role == ConflictRole)
        return bool(m_conflict[c]);
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case HumanRank: return m_draft.ranks[c] > 0 ? QString::number(m_draft.ranks[c]) : QStringLiteral("–");
        case Reward: return scored ? QString::number(m_rewards[c], 'f', 3) : QString();
        case ModelRank: return m_modelRanks.empty() ? QString() : QString::number(m_modelRanks[c]);
        case Text: {
            const QString t = QString::fromStdString(m_candidates[c].flattened());
            return role == Qt::ToolTipRole ? t.left(3000) : t.simplified();
        }
        case Source: {
            if (c >= m_datasetOutputs)
                return tr("written");
            for (const auto &e : m_draft.edits)
                if (e.first == c)
                    return tr("edited");
            if (m_chosenRejected && c < 2) {
                if (role != Qt::ToolTipRole)
                    return c == 0 ? tr("#1 chosen") : tr("#2 rejected");
                const QString label = c == 0 ? tr("chosen") : tr("rejected");
                if (polar::datasetLabelRanks(polar::DatasetRecord::Kind::ChosenRejected, m_draft.decided,
                                             m_candidates.size() > m_datasetOutputs))
                    return tr("The dataset marks this answer %1: that is this item's ranking until you rank it").arg(label);
                if (m_draft.decided)
                    return tr("The dataset marks this answer %1; your ranking has replaced that label").arg(label);
                return tr("The dataset marks this answer %1, but with an answer written the label no longer ranks "
                          "this item: rank it").arg(label);
            }
            return tr("#%1").arg(c + 1);
        }
        }
    }
    if (role == Qt::BackgroundRole && index.column() == ModelRank && m_conflict[c])
        return QBrush(QColor(0xfb, 0xdc, 0xdc));
    if (role == Qt::ForegroundRole && index.column() == ModelRank && m_conflict[c])
        return QBrush(Appearance::textOnPastel());
    if (role == Qt::ToolTipRole && index.column() == ModelRank && m_conflict[c])
        return tr("The model orders this candidate against your ranking");
    if (role == Qt::TextAlignmentRole && index.column() != Text)
        return int(Qt::AlignCenter);
    return {};
}

QVariant AnnotationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case HumanRank: return tr("Your rank");
    case Reward: return tr("Reward");
    case ModelRank: return tr("Model rank");
    case Text: return tr("Candidate");
    case Source: return tr("Source");
    }
    return {};
}

Qt::ItemFlags AnnotationModel::flags(const QModelIndex &index) const
{
    const Qt::ItemFlags base = QAbstractTableModel::flags(index) | Qt::ItemIsDropEnabled;
    return index.isValid() ? base | Qt::ItemIsDragEnabled : base;
}

Qt::DropActions AnnotationModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

QStringList AnnotationModel::mimeTypes() const
{
    return {kMime};
}

QMimeData *AnnotationModel::mimeData(const QModelIndexList &indexes) const
{
    if (indexes.isEmpty())
        return nullptr;
    auto *m = new QMimeData;
    m->setData(kMime, QByteArray::number(qulonglong(candidateAt(indexes.first().row()))));
    return m;
}

bool AnnotationModel::dropMimeData(const QMimeData *data, Qt::DropAction, int row, int, const QModelIndex &parent)
{
    if (!data->hasFormat(kMime))
        return false;
    const size_t c = size_t(data->data(kMime).toULongLong());
    int target = row >= 0 ? row : parent.isValid() ? parent.row() : rowCount();
    // Dropped onto row r: take the rank level of the candidate shown there.
    int rank = 1;
    if (target < rowCount()) {
        const size_t there = candidateAt(target);
        rank = m_draft.ranks[there] > 0 ? m_draft.ranks[there] : *std::max_element(m_draft.ranks.begin(), m_draft.ranks.end()) + 1;
    } else {
        rank = *std::max_element(m_draft.ranks.begin(), m_draft.ranks.end()) + 1;
    }
    Q_EMIT moveRequested(c, rank);
    return false; // the window re-lays the rows; nothing for the view to remove
}
