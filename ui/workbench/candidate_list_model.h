#pragma once

#include <QAbstractListModel>

class WorkspaceDocument;

// The candidates of the workspace, in the user's order, for the editing list.
class CandidateListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role { IdRole = Qt::UserRole, FullTextRole, MarkRole };

    explicit CandidateListModel(WorkspaceDocument *doc, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    int64_t idAt(int row) const;

private:
    const QStringList &previews() const;

    WorkspaceDocument *m_doc;
    mutable QStringList m_previewInputs, m_previews;
};

// Shows each row's 1-based position before its text. The number is the
// view's business: it changes with every insert above, the item does not.
#include <QStyledItemDelegate>
class NumberedItemDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};
