#pragma once

#include "scoring/encoding.h"

#include <QAbstractTableModel>

namespace polar {
class Tokenizer;
}

// The tokens of one encoded input: index, id, piece, segment, text.
class TokenTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Index, Id, Piece, Segment, Text, NB_COLUMNS };
    enum Role { SegmentRole = Qt::UserRole };

    explicit TokenTableModel(QObject *parent = nullptr);
    // `pieces` holds each token's sentencepiece piece, in order.
    void setInput(const polar::PolarInput &input);
    const polar::PolarInput &input() const { return m_input; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    polar::PolarInput m_input;
};

// The background colour that marks a segment everywhere in the UI.
QColor segmentColor(polar::Segment s, bool alternate = false);
