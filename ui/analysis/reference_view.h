#pragma once

#include "analysis/reference_sensitivity.h"

#include <QAbstractTableModel>
#include <QMetaType>
#include <QWidget>

#include <optional>

class AnalysisWait;
class EngineController;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class WorkspaceDocument;

Q_DECLARE_METATYPE(polar::ReferenceSensitivity)

// The candidates x references heat map: a row per candidate (grouped by
// mutual consistency), its reward under the given, an empty and the edited
// reference, then under each candidate as the reference.
class ReferenceMatrixModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Candidate, Group, Given, Empty, FIRST_OPTIONAL };
    using QAbstractTableModel::QAbstractTableModel;
    void setResult(const polar::ReferenceSensitivity &r, const QStringList &labels);
    const polar::ReferenceSensitivity &result() const { return m_r; }
    // The candidate a row shows, and the reward a cell holds (none for text columns).
    size_t candidateAt(int row) const { return m_r.order[size_t(row)]; }
    std::optional<double> value(int row, int column) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int firstReferenceColumn() const { return FIRST_OPTIONAL + (m_r.edited ? 1 : 0); }
    polar::ReferenceSensitivity m_r;
    QStringList m_labels; // "#k preview", by candidate
    double m_lo = 0, m_hi = 0;
};

// The "Reference" tab: runs the matrix for the workspace's candidates on the
// engine thread and shows it, with CSV and PNG exports.
class ReferenceView : public QWidget
{
    Q_OBJECT

public:
    ReferenceView(WorkspaceDocument *doc, EngineController *engine, QWidget *parent = nullptr);
    void run();
    ReferenceMatrixModel *model() const { return m_model; }
    QPlainTextEdit *editedReference() const { return m_edited; }
    QString staleReason() const;
    QString csv() const;
    QString html() const; // the heat map as a self-contained table
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    bool exportPng(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void finished(bool ok);

private:
    void updateStale();

    WorkspaceDocument *m_doc;
    EngineController *m_engine;
    ReferenceMatrixModel *m_model;
    QPlainTextEdit *m_edited;
    QPushButton *m_run, *m_cancel;
    QProgressBar *m_progress;
    QTableView *m_table;
    QLabel *m_summary, *m_stale;
    AnalysisWait *m_wait;
    std::vector<std::string> m_ranTexts; // prompt, reference, edited, candidates: what the result is for
    std::vector<std::string> m_pendingTexts;
};
