#include "engine/controller.h"

EngineController::EngineController(QObject *parent) : QObject(parent), m_thread(new QThread)
{
    qRegisterMetaType<ScoreJob>();
    qRegisterMetaType<ScoreOutcome>();
    qRegisterMetaType<polar::ModelInfo>();
    qRegisterMetaType<AttributionOutcome>();
    qRegisterMetaType<ItemScoreOutcome>();
    m_thread->setObjectName("polar-engine");
    m_worker = new EngineWorker;
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &EngineWorker::loadProgress, this, &EngineController::loadProgress);
    connect(m_worker, &EngineWorker::scoreProgress, this, &EngineController::scoreProgress);
    connect(m_worker, &EngineWorker::attributionProgress, this, &EngineController::attributionProgress);
    connect(m_worker, &EngineWorker::attributionFinished, this, [this](const AttributionOutcome &o) {
        if (finishOne(m_pendingAttributions))
            Q_EMIT attributionFinished(o);
    });
    connect(m_worker, &EngineWorker::itemsScored, this, [this](const ItemScoreOutcome &o) {
        finishOne(m_pendingItems);
        Q_EMIT itemsScored(o); // every chunk counts: each is saved
    });
    connect(m_worker, &EngineWorker::itemsScoreFailed, this, [this](const QString &e) {
        if (finishOne(m_pendingItems))
            Q_EMIT itemsScoreFailed(e);
    });
    connect(m_worker, &EngineWorker::attributionFailed, this, [this](const QString &e) {
        if (finishOne(m_pendingAttributions))
            Q_EMIT attributionFailed(e);
    });
    // Only the newest request's answer is passed on; a superseded job ends
    // (usually as cancelled) while a newer one is still queued.
    connect(m_worker, &EngineWorker::modelLoaded, this, [this](const polar::ModelInfo &info) {
        m_info = info;
        m_hasModel = true;
        if (finishOne(m_pendingLoads))
            Q_EMIT modelLoaded(info);
    });
    connect(m_worker, &EngineWorker::modelLoadFailed, this, [this](const QString &e) {
        if (finishOne(m_pendingLoads))
            Q_EMIT modelLoadFailed(e);
    });
    connect(m_worker, &EngineWorker::scoreFinished, this, [this](const ScoreOutcome &o) {
        if (finishOne(m_pendingScores))
            Q_EMIT scoreFinished(o);
    });
    connect(m_worker, &EngineWorker::scoreFailed, this, [this](const QString &e) {
        if (finishOne(m_pendingScores))
            Q_EMIT scoreFailed(e);
    });
    m_thread->start();
}

EngineController::~EngineController()
{
    cancel(); // a running job stops at its next check before the thread is joined
}

bool EngineController::finishOne(int &pending)
{
    const bool newest = --pending == 0;
    setBusy(m_pendingLoads + m_pendingScores + m_pendingAttributions + m_pendingItems > 0);
    return newest;
}

void EngineController::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void EngineController::loadModel(const QString &dir, polar::Device device, polar::DType dtype)
{
    cancel(); // scores of the old model are moot
    m_loadCancel = std::make_shared<std::atomic_bool>(false);
    ++m_pendingLoads;
    setBusy(true);
    // Runs on the engine thread, in order with the other requests.
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, dir, device, dtype, flag = m_loadCancel] { w->loadModel(dir, int(device), int(dtype), flag); },
        Qt::QueuedConnection);
}

template <typename Job, typename Method>
void EngineController::post(Job job, std::shared_ptr<std::atomic_bool> &flag, int &pending, Method method,
                            bool supersede)
{
    if (supersede && flag)
        *flag = true; // a newer job of this kind supersedes a running one
    if (!flag || *flag)
        flag = std::make_shared<std::atomic_bool>(false);
    job.cancel = flag;
    ++pending;
    setBusy(true);
    // Runs on the engine thread, in order with the other requests.
    QMetaObject::invokeMethod(m_worker, [w = m_worker, job, method] { (w->*method)(job); }, Qt::QueuedConnection);
}

void EngineController::score(ScoreJob job)
{
    post(std::move(job), m_scoreCancel, m_pendingScores, &EngineWorker::score, true);
}

void EngineController::attribute(AttributionJob job)
{
    post(std::move(job), m_attributionCancel, m_pendingAttributions, &EngineWorker::attribute, true);
}

void EngineController::scoreItems(ItemScoreJob job)
{
    // Chunks follow one another: the next does not cancel the one before.
    post(std::move(job), m_itemsCancel, m_pendingItems, &EngineWorker::scoreItems, false);
}

void EngineController::cancelItemScoring()
{
    if (m_itemsCancel)
        *m_itemsCancel = true;
}

void EngineController::cancel()
{
    for (const auto &flag : {m_loadCancel, m_scoreCancel, m_attributionCancel, m_itemsCancel})
        if (flag)
            *flag = true;
}
