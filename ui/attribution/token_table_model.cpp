#include "attribution/token_table_model.h"
#include "widgets/appearance.h"

#include <QBrush>
#include <QColor>

QColor segmentColor(polar::Segment s, bool alternate)
{
    QColor c;
    switch (s) {
    case polar::Segment::Prompt: c = QColor(0xdc, 0xe9, 0xf8); break;
    case polar::Segment::Reference: c = QColor(0xfb, 0xef, 0xcc); break;
    case polar::Segment::PromptCopy: c = QColor(0xe6, 0xe1, 0xf6); break;
    case polar::Segment::Output: c = QColor(0xd8, 0xf0, 0xdc); break;
    case polar::Segment::Special: c = QColor(0xe4, 0xe4, 0xe4); break;
    }
    return alternate ? c.darker(110) : c;
}

TokenTableModel::TokenTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void TokenTableModel::setInput(const polar::PolarInput &input)
{
    beginResetModel();
    m_input = input;
    endResetModel();
}

int TokenTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_input.tokens.size());
}

int TokenTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant TokenTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const polar::EncodedToken &t = m_input.tokens[size_t(index.row())];
    if (role == SegmentRole)
        return int(t.segment);
    if (role == Qt::BackgroundRole)
        return QBrush(segmentColor(t.segment));
    if (role == Qt::ForegroundRole)
        return QBrush(Appearance::textOnPastel());
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Index: return index.row();
    case Id: return t.id;
    case Piece: return QString::fromStdString(m_input.tokens[size_t(index.row())].piece);
    case Segment: return QString::fromLatin1(polar::segmentName(t.segment));
    case Text: {
        QString s = QString::fromUtf8(m_input.text.data() + t.begin, int(t.end - t.begin));
        s.replace('\n', QStringLiteral("⏎"));
        return s;
    }
    }
    return {};
}

QVariant TokenTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Index: return tr("#");
    case Id: return tr("Id");
    case Piece: return tr("Piece");
    case Segment: return tr("Segment");
    case Text: return tr("Text");
    }
    return {};
}
