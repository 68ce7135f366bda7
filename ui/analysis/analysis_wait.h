#pragma once

#include <QMetaType>
#include <QObject>
#include <QVariant>

class EngineController;
class QProgressBar;
class QPushButton;

// One view's wait for one kind of analysis result: the engine's analysis
// signals are shared by every view, so each takes only results of its own
// type, and only while it waits. Shows progress on `progress` and disables
// `run` meanwhile.
class AnalysisWait : public QObject
{
    Q_OBJECT

public:
    AnalysisWait(EngineController *engine, QMetaType resultType, QProgressBar *progress, QPushButton *run, QObject *parent);
    void start(); // after the job was sent
    bool waiting() const { return m_waiting; }

Q_SIGNALS:
    void finished(const QVariant &result);
    void failed(const QString &error);

private:
    void stop();

    QMetaType m_type;
    QProgressBar *m_progress;
    QPushButton *m_run;
    bool m_waiting = false;
};
