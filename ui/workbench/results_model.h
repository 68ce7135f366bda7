#pragma once

#include <QAbstractTableModel>

#include <optional>
#include <vector>

class WorkspaceDocument;

// Scores of the candidates and of the reference (scored as an anchor row),
// shaped like qBittorrent's transfer list model: one enum of columns, raw
// values under UnderlyingDataRole for sorting and charts.
class ResultsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Rank, Candidate, Reward, MarginToBest, MarginToReference, Tokens, Truncated, NB_COLUMNS };
    enum Role { UnderlyingDataRole = Qt::UserRole, IdRole, IsReferenceRole };

    explicit ResultsModel(WorkspaceDocument *doc, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int64_t idAt(int row) const;
    int rowOfId(int64_t id) const;
    bool hasScores() const;

private:
    struct Row
    {
        int64_t id;
        bool isReference;
        int number;       // candidate's position in the list, 1-based
        QString preview;
        bool scored;
        double reward;
        int tokens;
        QString truncation;
        int rank;         // among scored candidates, 1 = best; 0 = none
    };
    enum class Update { InPlace, Reset }; // InPlace: a reset only where rows were removed or moved
    void rebuild(Update update);
    // Replaces m_rows, telling views in place (same rows) or by a reset.
    void publish(std::vector<Row> rows, Update update, std::optional<double> best, std::optional<double> reference);

    WorkspaceDocument *m_doc;
    std::vector<Row> m_rows;
    std::optional<double> m_best;      // the best candidate's reward, when any is scored
    std::optional<double> m_reference; // the reference's own reward, when scored
};
