#pragma once

#include "engine/worker.h"

#include <QObject>
#include <QThread>

#include <memory>

// Owns the engine thread and its worker; the GUI talks to this object only.
class EngineController : public QObject
{
    Q_OBJECT

public:
    explicit EngineController(QObject *parent = nullptr);
    ~EngineController() override;

    void loadModel(const QString &dir, polar::Device device, polar::DType dtype);
    void score(ScoreJob job);
    void attribute(AttributionJob job);
    void scoreItems(ItemScoreJob job);
    void cancelItemScoring();
    void cancel();
    bool busy() const { return m_busy; }
    bool hasModel() const { return m_hasModel; }
    const polar::ModelInfo &modelInfo() const { return m_info; }
    EngineWorker *worker() const { return m_worker; }

Q_SIGNALS:
    void loadProgress(int done, int total);
    void modelLoaded(const polar::ModelInfo &info);
    void modelLoadFailed(const QString &error);
    void scoreProgress(int done, int total);
    void scoreFinished(const ScoreOutcome &outcome);
    void scoreFailed(const QString &error);
    void attributionProgress(int done, int total);
    void attributionFinished(const AttributionOutcome &outcome);
    void attributionFailed(const QString &error);
    void itemsScored(const ItemScoreOutcome &outcome);
    void itemsScoreFailed(const QString &error);
    void busyChanged(bool busy);

private:
    void setBusy(bool busy);
    bool finishOne(int &pending); // true when no newer request of that kind is pending
    template <typename Job, typename Method>
    void post(Job job, std::shared_ptr<std::atomic_bool> &flag, int &pending, Method method, bool supersede);

    struct ThreadStopper
    {
        void operator()(QThread *t) const
        {
            t->quit();
            t->wait();
            delete t;
        }
    };
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    EngineWorker *m_worker = nullptr; // deleted on the thread's finished()
    std::shared_ptr<std::atomic_bool> m_loadCancel, m_scoreCancel, m_attributionCancel, m_itemsCancel;
    int m_pendingLoads = 0, m_pendingScores = 0, m_pendingAttributions = 0, m_pendingItems = 0;
    bool m_busy = false;
    bool m_hasModel = false;
    polar::ModelInfo m_info;
};
