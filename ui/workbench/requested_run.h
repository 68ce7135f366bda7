#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

class DatasetWindow;
class MainWindow;

// What polar-studio's command line asks of the window once its first model
// load ends: open a dataset, score, explain the best candidate, render a
// screenshot. Later loads and scorings are the user's: nothing reruns, and the
// row they picked stays picked.
struct RunRequest
{
    QString dataset;    // --dataset: open it for annotation (and score it with --score)
    bool score = false; // --score
    QString explain;    // --explain METHOD: after scoring, explain the best candidate
    QString screenshot; // --screenshot FILE: render the window once done, then finished()
};

class RequestedRun : public QObject
{
    Q_OBJECT

public:
    RequestedRun(MainWindow *window, RunRequest request, QObject *parent = nullptr);

Q_SIGNALS:
    void finished(); // the screenshot is saved: the app may quit

private:
    void onFirstModelReady(bool ok);
    void onRequestedScoring();
    void finish();

    MainWindow *m_window;
    RunRequest m_request;
    QPointer<DatasetWindow> m_datasetWindow;
};
