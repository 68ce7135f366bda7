#include "workbench/requested_run.h"

#include "annotation/dataset_window.h"
#include "attribution/attribution.h"
#include "attribution/view.h"
#include "workbench/main_window.h"

#include <QTableView>
#include <QTimer>

#include <cstdio>

RequestedRun::RequestedRun(MainWindow *window, RunRequest request, QObject *parent)
    : QObject(parent), m_window(window), m_request(std::move(request))
{
    connect(m_window, &MainWindow::modelReady, this, &RequestedRun::onFirstModelReady, Qt::SingleShotConnection);
    if (m_request.score && m_request.dataset.isEmpty())
        connect(m_window, &MainWindow::scoringDone, this, &RequestedRun::onRequestedScoring, Qt::SingleShotConnection);
}

void RequestedRun::onFirstModelReady(bool ok)
{
    if (!m_request.dataset.isEmpty()) {
        m_datasetWindow = m_window->openDatasetWindow(m_request.dataset);
        connect(m_datasetWindow, &DatasetWindow::scoringStopped, this, &RequestedRun::finish, Qt::SingleShotConnection);
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

void RequestedRun::onRequestedScoring()
{
    m_window->resultsTable()->selectRow(0); // the table is sorted by rank: the best
    if (m_request.explain.isEmpty()) {
        finish();
        return;
    }
    try {
        m_window->attributionView()->setMethod(polar::parseAttributionMethod(m_request.explain.toStdString()));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "polar-studio: %s\n", e.what());
    }
    connect(m_window->attributionView(), &AttributionView::finished, this, &RequestedRun::finish, Qt::SingleShotConnection);
    m_window->action("explain")->trigger();
}

void RequestedRun::finish()
{
    if (m_request.screenshot.isEmpty())
        return;
    // Let queued view updates (the chart follows the table) land first.
    QTimer::singleShot(300, this, [this] {
        QWidget *shown = m_datasetWindow ? static_cast<QWidget *>(m_datasetWindow.data()) : static_cast<QWidget *>(m_window);
        shown->grab().save(m_request.screenshot);
        m_window->discardRecovery();
        Q_EMIT finished();
    });
}
