#include "engine/worker.h"

#include "remote/remote_scorer.h"

#include <algorithm>
#include <chrono>

EngineWorker::EngineWorker() = default;
EngineWorker::~EngineWorker() = default;

template <typename Fn>
void EngineWorker::run(EngineTicket ticket, Fn &&fn)
{
    try {
        Q_EMIT finished(ticket, fn());
    } catch (const polar::Cancelled &) {
        Q_EMIT failed(ticket, tr("Cancelled."), true);
    } catch (const std::exception &e) {
        Q_EMIT failed(ticket, QString::fromUtf8(e.what()), false);
    }
}

std::function<void(size_t, size_t)> EngineWorker::progressFor(EngineTicket ticket)
{
    return [this, ticket](size_t done, size_t total) { Q_EMIT progress(ticket, int(done), int(total)); };
}

void EngineWorker::loadModel(EngineTicket ticket, const QString &dir, polar::Device device, polar::ComputeDType dtype,
                             const Cancel &cancel)
{
    run(ticket, [&] {
        polar::LoadOptions o;
        o.device = device;
        o.dtype = dtype;
        o.cancel = cancel.get();
        // In MiB: a checkpoint's bytes overflow the int the signal carries.
        o.progress = [this, ticket](uint64_t done, uint64_t total) {
            Q_EMIT progress(ticket, int(done >> 20), int(std::max<uint64_t>(1, total >> 20)));
        };
        m_model = polar::RewardModel::load(dir.toStdString(), o);
        m_cache.clear(); // rewards of another model
        return QVariant::fromValue(m_model->info());
    });
}

void EngineWorker::connectServer(EngineTicket ticket, const QString &dir, const polar::ServerSpec &spec)
{
    run(ticket, [&] {
        auto model = polar::connectToServer(spec, dir.toStdString());
        // A server that is down or refuses us fails the load, not every score after it.
        const polar::ServerCheck check = polar::testConnection(*model);
        m_model = std::move(model);
        m_cache.clear();
        polar::ModelInfo info = m_model->info();
        info.remoteWarning = check.warning;
        return QVariant::fromValue(info);
    });
}

void EngineWorker::scoreCandidates(EngineTicket ticket, const polar::CandidatesJob &job, const Cancel &cancel)
{
    runModelJob(
        ticket,
        [&](const polar::RewardModel &model, const polar::ScoreControl &control) {
            return QVariant::fromValue(polar::scoreCandidatesJob(model, job, m_cache, control));
        },
        cancel);
}

void EngineWorker::runModelJob(EngineTicket ticket, const ModelJob &job, const Cancel &cancel)
{
    run(ticket, [&] {
        if (!m_model)
            throw polar::Error(tr("No model is loaded.").toStdString());
        polar::ScoreControl control;
        control.cancel = cancel.get();
        control.progress = progressFor(ticket);
        return job(*m_model, control);
    });
}

void EngineWorker::primeCache(const std::vector<std::pair<std::string, float>> &rewards)
{
    for (const auto &[text, reward] : rewards)
        m_cache.put(text, reward);
}

void EngineWorker::attribute(EngineTicket ticket, const polar::AttributionJob &job, const Cancel &cancel)
{
    run(ticket, [&] {
        if (!m_model)
            throw polar::Error(tr("No model is loaded.").toStdString());
        return QVariant::fromValue(polar::runAttributionJob(*m_model, job, cancel.get(), progressFor(ticket)));
    });
}

void EngineWorker::scoreItems(EngineTicket ticket, const polar::ItemScoreRequest &request, const polar::ScoringSettings &settings,
                              const Cancel &cancel)
{
    run(ticket, [&] {
        if (!m_model)
            throw polar::Error(tr("No model is loaded.").toStdString());
        const auto started = std::chrono::steady_clock::now();
        ItemsResult out;
        out.model = m_model->info().rewardsName();
        out.items = polar::scoreItems(*m_model, request, settings, cancel.get());
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return QVariant::fromValue(out);
    });
}
