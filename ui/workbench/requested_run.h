#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

class DatasetWindow;
class MainWindow;

// What polar-studio's command line asks of the window once its first model
// load ends: open a dataset, score, explain the best candidate, render a
// screenshot. Later loads and scorings are the user's: nothing reruns, and the
// row they picked stays picked. A scripted run (--screenshot) ends with
// finished(ok): not ok when the model, the dataset, the scoring, the
// explanation or the screenshot failed, so scripts can tell.
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

    // Why a scripted run failed (the first thing that did, with the window's
    // message); empty while all went well.
    QString failure() const { return m_failure; }

Q_SIGNALS:
    // The screenshot is taken: the app may quit, with status 1 unless `ok`.
    void finished(bool ok);

private:
    void onFirstModelReady(bool ok);
    void onRequestedScoring(bool ok);
    void fail(const QString &what, const QString &message);
    void finish();

    MainWindow *m_window;
    RunRequest m_request;
    QPointer<DatasetWindow> m_datasetWindow;
    QString m_failure;
};
