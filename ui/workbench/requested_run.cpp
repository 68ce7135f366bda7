#include "workbench/requested_run.h"

#include "annotation/dataset_window.h"
#include "attribution/attribution.h"
#include "attribution/view.h"
#include "workbench/main_window.h"

#include <QTableView>
#include <QTimer>

RequestedRun::RequestedRun(MainWindow *window, RunRequest request, QObject *parent)
    : QObject(parent), m_window(window), m_request(std::move(request))
{
    connect(m_window, &MainWindow::modelReady, this, &RequestedRun::onFirstModelReady, Qt::SingleShotConnection);
    if (m_request.score && m_request.dataset.isEmpty())
        connect(m_window, &MainWindow::scoringDone, this, &RequestedRun::onRequestedScoring, Qt::SingleShotConnection);
}

void RequestedRun::onFirstModelReady(bool ok)
{
    if (!ok)
        fail("the model did not load", m_window->lastMessage());
    if (!m_request.dataset.isEmpty()) {
        m_datasetWindow = m_window->openDatasetWindow(m_request.dataset);
        if (!m_datasetWindow->project()) {
            fail("the dataset did not open", m_datasetWindow->lastMessage());
            finish();
            return;
        }
        connect(m_datasetWindow, &DatasetWindow::scoringStopped, this, [this](bool toTheEnd) {
            if (!toTheEnd)
                fail("scoring the dataset stopped before the end", m_datasetWindow->lastMessage());
            finish();
        }, Qt::SingleShotConnection);
        if (ok && m_request.score)
            m_datasetWindow->startScoring();
        else
            finish();
        return;
    }
    if (ok && m_request.score)
        m_window->score();
    else
        finish();
}

void RequestedRun::onRequestedScoring(bool ok)
{
    if (!ok) {
        fail("scoring failed", m_window->lastMessage());
        finish();
        return;
    }
    m_window->resultsTable()->selectRow(0); // the table is sorted by rank: the best
    if (m_request.explain.isEmpty()) {
        finish();
        return;
    }
    // The method was checked when the command line was read.
    m_window->attributionView()->setMethod(polar::parseAttributionMethod(m_request.explain.toStdString()));
    connect(m_window->attributionView(), &AttributionView::finished, this, [this](bool explained) {
        if (!explained)
            fail("the explanation failed", m_window->lastMessage());
        finish();
    }, Qt::SingleShotConnection);
    m_window->action("explain")->trigger();
}

void RequestedRun::fail(const QString &what, const QString &message)
{
    if (m_failure.isEmpty())
        m_failure = message.isEmpty() ? what : what + ": " + message;
}

void RequestedRun::finish()
{
    if (m_request.screenshot.isEmpty())
        return;
    // Let queued view updates (the chart follows the table) land first.
    QTimer::singleShot(300, this, [this] {
        QWidget *shown = m_datasetWindow ? static_cast<QWidget *>(m_datasetWindow.data()) : static_cast<QWidget *>(m_window);
        if (!shown->grab().save(m_request.screenshot))
            fail("could not write the screenshot " + m_request.screenshot, QString());
        m_window->discardRecovery();
        Q_EMIT finished(m_failure.isEmpty());
    });
}
