#pragma once

#include <QWidget>

class EngineController;
class QProgressBar;
class QPushButton;

// A progress bar and a Cancel button that show while the engine scores the
// workbench's inputs (for the status bar).
class ScoreStatus : public QWidget
{
    Q_OBJECT

public:
    explicit ScoreStatus(EngineController *engine, QWidget *parent = nullptr);
    void started(); // a job was posted: busy until it finishes or fails

private:
    QProgressBar *m_progress;
    QPushButton *m_cancel;
};
