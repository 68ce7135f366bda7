#include "engine/controller.h"

EngineController::EngineController(QObject *parent) : QObject(parent), m_thread(new QThread)
{
    qRegisterMetaType<EngineTicket>("EngineTicket");
    qRegisterMetaType<polar::ModelInfo>();
    qRegisterMetaType<polar::CandidatesResult>();
    qRegisterMetaType<polar::AttributionJobResult>();
    qRegisterMetaType<ItemsResult>();
    m_thread->setObjectName("polar-engine");
    m_worker = new EngineWorker;
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &EngineWorker::progress, this, &EngineController::onProgress);
    connect(m_worker, &EngineWorker::finished, this, &EngineController::onFinished);
    connect(m_worker, &EngineWorker::failed, this, &EngineController::onFailed);
    m_thread->start();
}

EngineController::~EngineController()
{
    cancel(); // a running job stops at its next check before the thread is joined
}

int EngineController::pending(Kind kind) const
{
    auto it = m_lanes.find(kind);
    return it == m_lanes.end() ? 0 : it->second.pending;
}

EngineTicket EngineController::open(Kind kind, bool supersede, EngineWorker::Cancel &flag)
{
    Lane &lane = m_lanes[kind];
    if (supersede && lane.cancel)
        *lane.cancel = true; // a newer job of this kind supersedes a running one
    if (!lane.cancel || *lane.cancel)
        lane.cancel = std::make_shared<std::atomic_bool>(false);
    flag = lane.cancel;
    const EngineTicket ticket = m_nextTicket++;
    lane.newest = ticket;
    ++lane.pending;
    m_open[ticket] = kind;
    setBusy(true);
    return ticket;
}

bool EngineController::close(EngineTicket ticket, Kind &kind)
{
    auto it = m_open.find(ticket);
    if (it == m_open.end())
        return false;
    kind = it->second;
    m_open.erase(it);
    Lane &lane = m_lanes[kind];
    --lane.pending;
    setBusy(!m_open.empty());
    // Item chunks are each saved; of the other kinds only the newest request counts.
    // Analyses come from different views (each takes its own result type): none supersedes another.
    return kind == Kind::Items || kind == Kind::Analysis || ticket == lane.newest;
}

void EngineController::onProgress(EngineTicket ticket, int done, int total)
{
    auto it = m_open.find(ticket);
    if (it == m_open.end() || (it->second != Kind::Items && it->second != Kind::Analysis && ticket != m_lanes[it->second].newest))
        return;
    switch (it->second) {
    case Kind::Load: Q_EMIT loadProgress(done, total); break;
    case Kind::Score: Q_EMIT scoreProgress(done, total); break;
    case Kind::Attribution: Q_EMIT attributionProgress(done, total); break;
    case Kind::Items: break; // the dataset window counts items itself
    case Kind::Analysis: Q_EMIT analysisProgress(done, total); break;
    }
}

void EngineController::onFinished(EngineTicket ticket, const QVariant &result)
{
    Kind kind;
    const bool current = close(ticket, kind);
    if (kind == Kind::Load) {
        // The model is loaded whether or not a newer load is queued behind it.
        m_info = result.value<polar::ModelInfo>();
        m_hasModel = true;
    }
    if (!current)
        return;
    switch (kind) {
    case Kind::Load: Q_EMIT modelLoaded(m_info); break;
    case Kind::Score: Q_EMIT scoreFinished(result.value<polar::CandidatesResult>()); break;
    case Kind::Attribution: Q_EMIT attributionFinished(result.value<polar::AttributionJobResult>()); break;
    case Kind::Items: Q_EMIT itemsScored(result.value<ItemsResult>()); break;
    case Kind::Analysis: Q_EMIT analysisFinished(result); break;
    }
}

void EngineController::onFailed(EngineTicket ticket, const QString &error, bool cancelled)
{
    Kind kind;
    if (!close(ticket, kind))
        return;
    QString text = error;
    if (cancelled)
        text = kind == Kind::Load ? tr("Loading was cancelled.")
            : kind == Kind::Items ? tr("Scoring was paused.")
            : kind == Kind::Attribution ? tr("Attribution was cancelled.")
            : kind == Kind::Analysis    ? tr("The analysis was cancelled.")
                                         : tr("Scoring was cancelled.");
    switch (kind) {
    case Kind::Load: Q_EMIT modelLoadFailed(text); break;
    case Kind::Score: Q_EMIT scoreFailed(text); break;
    case Kind::Attribution: Q_EMIT attributionFailed(text); break;
    case Kind::Items: Q_EMIT itemsScoreFailed(text); break;
    case Kind::Analysis: Q_EMIT analysisFailed(text); break;
    }
}

void EngineController::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void EngineController::loadModel(const QString &dir, polar::Device device, polar::ComputeDType dtype)
{
    cancel(); // scores of the old model are moot
    EngineWorker::Cancel flag;
    const EngineTicket t = open(Kind::Load, true, flag);
    // Runs on the engine thread, in order with the other requests.
    QMetaObject::invokeMethod(m_worker, [w = m_worker, t, dir, device, dtype, flag] { w->loadModel(t, dir, device, dtype, flag); },
                              Qt::QueuedConnection);
}

void EngineController::connectServer(const QString &dir, polar::ServerSpec spec)
{
    cancel();
    EngineWorker::Cancel flag;
    const EngineTicket t = open(Kind::Load, true, flag);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, t, dir, spec = std::move(spec)] { w->connectServer(t, dir, spec); },
                              Qt::QueuedConnection);
}

void EngineController::score(polar::CandidatesJob job)
{
    EngineWorker::Cancel flag;
    const EngineTicket t = open(Kind::Score, true, flag);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, t, job = std::move(job), flag] { w->scoreCandidates(t, job, flag); },
                              Qt::QueuedConnection);
}

void EngineController::primeCache(std::vector<std::pair<std::string, float>> rewards)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, rewards = std::move(rewards)] { w->primeCache(rewards); }, Qt::QueuedConnection);
}

void EngineController::analyze(EngineWorker::ModelJob job)
{
    EngineWorker::Cancel flag;
    const EngineTicket t = open(Kind::Analysis, false, flag);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, t, job = std::move(job), flag] { w->runModelJob(t, job, flag); },
                              Qt::QueuedConnection);
}

void EngineController::attribute(polar::AttributionJob job)
{
    EngineWorker::Cancel flag;
    const EngineTicket t = open(Kind::Attribution, true, flag);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, t, job = std::move(job), flag] { w->attribute(t, job, flag); },
                              Qt::QueuedConnection);
}

void EngineController::scoreItems(polar::ItemScoreRequest request, polar::ScoringSettings settings)
{
    // Chunks follow one another: the next does not cancel the one before.
    EngineWorker::Cancel flag;
    const EngineTicket t = open(Kind::Items, false, flag);
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, t, request = std::move(request), settings, flag] { w->scoreItems(t, request, settings, flag); },
        Qt::QueuedConnection);
}

void EngineController::cancelItemScoring()
{
    if (auto it = m_lanes.find(Kind::Items); it != m_lanes.end() && it->second.cancel)
        *it->second.cancel = true;
}

void EngineController::cancel()
{
    for (auto &[kind, lane] : m_lanes)
        if (lane.cancel)
            *lane.cancel = true;
}
