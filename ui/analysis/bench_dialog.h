#pragma once

#include "analysis/reward_bench.h"

#include <QDialog>
#include <QMetaType>

#include <optional>

class AnalysisWait;
class EngineController;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
QT_FORWARD_DECLARE_CLASS(QBarCategoryAxis)
QT_FORWARD_DECLARE_CLASS(QBarSet)
QT_FORWARD_DECLARE_CLASS(QChartView)

Q_DECLARE_METATYPE(polar::BenchReport)

// Dataset > Evaluate on a RewardBench file: the loaded model on a local v1 or
// v2 file, with the reference taken from a column, a file or leave-one-out;
// per-subset bars, the report's text (which says where the references came
// from) and its JSON.
class BenchDialog : public QDialog
{
    Q_OBJECT

public:
    BenchDialog(EngineController *engine, QWidget *parent = nullptr);
    void setBenchFile(const QString &path);
    // "column:NAME", "file:PATH" or "leave-one-out", as polar-cli takes it.
    void setReference(const QString &spec);
    void run();
    const std::optional<polar::BenchReport> &report() const { return m_report; }
    QString reportText() const;
    QChartView *chart() const { return m_chart; }

Q_SIGNALS:
    void finished(bool ok);

private:
    void showReport();

    EngineController *m_engine;
    QLineEdit *m_file, *m_referenceArg;
    QComboBox *m_referenceKind;
    QPushButton *m_run, *m_save;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPlainTextEdit *m_text;
    QChartView *m_chart;
    QBarSet *m_bars;
    QBarCategoryAxis *m_subsets;
    AnalysisWait *m_wait;
    std::optional<polar::BenchReport> m_report;
};
