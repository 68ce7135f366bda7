#pragma once

#include "preferences/project.h"

#include <QAbstractTableModel>

// The candidates of the item being annotated, in the human ranking's order
// (ranked levels first, then the unranked), with the model's rewards beside.
class AnnotationModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { HumanRank, Reward, ModelRank, Text, Source, NB_COLUMNS };
    enum Role { CandidateRole = Qt::UserRole, ConflictRole };

    explicit AnnotationModel(QObject *parent = nullptr);
    // `candidates` and `rewards` (empty when unscored) of the item whose dataset
    // record is `record` (its outputs come first; the rest were written), `draft`
    // its annotation.
    void setItem(std::vector<polar::TextField> candidates, const polar::DatasetRecord &record, std::vector<float> rewards,
                 const polar::Annotation &draft, bool keepOrder = false);
    size_t candidateAt(int row) const;
    int rowOf(size_t candidate) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    Qt::DropActions supportedDropActions() const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent) override;

Q_SIGNALS:
    // Drag and drop asks for the candidate to go to this rank level.
    void moveRequested(size_t candidate, int rank);

private:
    std::vector<polar::TextField> m_candidates;
    size_t m_datasetOutputs = 0;
    bool m_chosenRejected = false; // the file labels its two outputs
    std::vector<float> m_rewards;
    std::vector<int> m_modelRanks;
    polar::Annotation m_draft;
    std::vector<size_t> m_order;
    std::vector<bool> m_conflict;
};
