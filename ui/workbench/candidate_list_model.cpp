#include "workbench/candidate_list_model.h"
#include "widgets/appearance.h"

#include "widgets/difference_preview.h"

#include "workbench/workspace_document.h"

#include <QColor>
#include <QFont>


CandidateListModel::CandidateListModel(WorkspaceDocument *doc, QObject *parent) : QAbstractListModel(parent), m_doc(doc)
{
    connect(doc, &WorkspaceDocument::workspaceReset, this, [this] {
        beginResetModel();
        endResetModel();
    });
    connect(doc, &WorkspaceDocument::candidateAboutToBeInserted, this, [this](int row) { beginInsertRows({}, row, row); });
    connect(doc, &WorkspaceDocument::candidateInserted, this, [this] { endInsertRows(); });
    connect(doc, &WorkspaceDocument::candidateAboutToBeRemoved, this, [this](int row) { beginRemoveRows({}, row, row); });
    connect(doc, &WorkspaceDocument::candidateRemoved, this, [this] { endRemoveRows(); });
    connect(doc, &WorkspaceDocument::candidateAboutToBeMoved, this, [this](int from, int to) {
        // Qt's destination is the row before which the item lands, in the old numbering.
        beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    });
    connect(doc, &WorkspaceDocument::candidateMoved, this, [this] { endMoveRows(); });
    auto rowChanged = [this](int64_t id) {
        const int row = m_doc->rowOf(id);
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row));
    };
    connect(doc, &WorkspaceDocument::candidateTextChanged, this, rowChanged);
    connect(doc, &WorkspaceDocument::markChanged, this, rowChanged);
}

int CandidateListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_doc->candidateCount();
}

int64_t CandidateListModel::idAt(int row) const
{
    return row >= 0 && row < m_doc->candidateCount() ? m_doc->candidateAt(row).id : -1;
}

QVariant CandidateListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const polar::Candidate &c = m_doc->candidateAt(index.row());
    using Mark = polar::Candidate::Mark;
    switch (role) {
    case Qt::DisplayRole: {
        const QString mark = c.mark == Mark::Chosen ? QStringLiteral("✔ ") : c.mark == Mark::Rejected ? QStringLiteral("✘ ") : QString();
        return mark + previews().value(index.row()).left(120); // the view adds the position number
    }
    case Qt::ToolTipRole:
        return QString::fromStdString(c.text.flattened()).left(2000);
    case Qt::ForegroundRole:
        if (c.mark == Mark::Chosen)
            return Appearance::tone(Appearance::Tone::Good);
        if (c.mark == Mark::Rejected)
            return Appearance::tone(Appearance::Tone::Bad);
        return {};
    case IdRole:
        return QVariant::fromValue<qlonglong>(c.id);
    case FullTextRole:
        return QString::fromStdString(c.text.flattened());
    case MarkRole:
        return int(c.mark);
    default:
        return {};
    }
}

void NumberedItemDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    option->text = QStringLiteral("#%1  %2").arg(index.row() + 1).arg(option->text);
}

const QStringList &CandidateListModel::previews() const
{
    // Recomputed when any text changed: a preview depends on the other texts.
    QStringList texts;
    for (const auto &c : m_doc->workspace().candidates)
        texts << QString::fromStdString(c.text.flattened());
    if (texts != m_previewInputs) {
        m_previewInputs = texts;
        m_previews = differencePreviews(texts);
    }
    return m_previews;
}
