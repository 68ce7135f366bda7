#pragma once

#include "training/fine_tune.h"

#include <QDialog>
#include <QElapsedTimer>

#include <functional>

class FineTuneRunner;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class TrainingChart;

// Fine-tune… in the dataset window: the settings of `polar-cli train`, a live
// loss and validation-accuracy chart, Cancel (which keeps a checkpoint to
// resume from), and at the end the agreement with the annotations before and
// after, side by side. The window that opened it loads the new model and
// takes its rewards when fineTuned() arrives.
class FineTuneDialog : public QDialog
{
    Q_OBJECT

public:
    struct Setup
    {
        QString baseModel, baseModelName, datasetPath, suggestedOutput;
        bool demoModel = false;
        polar::Device device = polar::Device::Auto;
        // Called when Start is pressed: a snapshot of the project's items.
        std::function<std::vector<polar::AnnotatedItem>()> snapshot;
        polar::ScoringSettings scoring;
    };
    FineTuneDialog(Setup setup, QWidget *parent = nullptr);

    polar::TrainOptions options() const;
    bool running() const;
    QString trainingData() const; // what Start would learn from, as shown

Q_SIGNALS:
    void fineTuned(const polar::FineTuneResult &result);

protected:
    void reject() override; // Esc / Close while running asks to cancel first
    // Coming back to the dialog after ranking more recounts the pairs.
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void start();
    void onProgress(const polar::TrainProgress &p);
    void onFinished(const polar::FineTuneResult &r);
    void setRunning(bool on);
    void showComparison(const polar::FineTuneResult &r);
    void countPairs();

    Setup m_setup;
    FineTuneRunner *m_runner;
    QLineEdit *m_output;
    QSpinBox *m_epochs, *m_batchTokens, *m_maxLength, *m_maxResponse, *m_freeze, *m_seed, *m_evalEvery;
    QDoubleSpinBox *m_lr, *m_valFraction;
    QCheckBox *m_resume;
    QPushButton *m_start, *m_cancel, *m_close;
    QLabel *m_status;
    QLabel *m_trainingData;
    TrainingChart *m_chart;
    QPlainTextEdit *m_log;
    QTableWidget *m_comparison;
    QElapsedTimer m_clock;
    int64_t m_firstStep = -1;
    bool m_closeWhenStopped = false;
};
