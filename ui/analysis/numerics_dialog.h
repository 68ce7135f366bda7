#pragma once

#include "analysis/numerics_check.h"

#include <QDialog>
#include <QMetaType>

#include <optional>

class AnalysisWait;
class EngineController;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class WorkspaceDocument;

Q_DECLARE_METATYPE(polar::NumericsReport)

// Score > Check numerics: the workspace's candidates scored alone, batched
// with other lengths, sharing their prefix, and optionally in another
// precision; the largest differences and ranking flips against the
// documented tolerances, with the report saved as JSON.
class NumericsDialog : public QDialog
{
    Q_OBJECT

public:
    NumericsDialog(WorkspaceDocument *doc, EngineController *engine, QWidget *parent = nullptr);
    void run();
    QString reportText() const;
    const std::optional<polar::NumericsReport> &report() const { return m_report; }
    QComboBox *precision() const { return m_precision; }

Q_SIGNALS:
    void finished(bool ok);

private:
    WorkspaceDocument *m_doc;
    EngineController *m_engine;
    QComboBox *m_precision;
    QPushButton *m_run, *m_save;
    QProgressBar *m_progress;
    QLabel *m_verdict;
    QPlainTextEdit *m_text;
    AnalysisWait *m_wait;
    std::optional<polar::NumericsReport> m_report;
};
