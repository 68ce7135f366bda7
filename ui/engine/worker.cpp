#include "engine/worker.h"

#include "scoring/scorer.h"
#include "model/tokenizer.h"

#include <chrono>

EngineWorker::EngineWorker() = default;
EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(const QString &dir, int device, int dtype, std::shared_ptr<std::atomic_bool> cancel)
{
    try {
        polar::LoadOptions o;
        o.device = polar::Device(device);
        o.dtype = polar::DType(dtype);
        o.cancel = cancel.get();
        o.progress = [this](int done, int total) { Q_EMIT loadProgress(done, total); };
        auto model = polar::RewardModel::load(dir.toStdString(), o);
        m_model = std::move(model);
        m_cache.clear();
        Q_EMIT modelLoaded(m_model->info());
    } catch (const polar::Cancelled &) {
        Q_EMIT modelLoadFailed(tr("Loading was cancelled."));
    } catch (const std::exception &e) {
        // The worker entry is a boundary: nothing may leave a slot.
        Q_EMIT modelLoadFailed(QString::fromUtf8(e.what()));
    }
}

void EngineWorker::score(const ScoreJob &job)
{
    const auto started = std::chrono::steady_clock::now();
    if (!m_model) {
        Q_EMIT scoreFailed(tr("No model is loaded."));
        return;
    }
    try {
        ScoreOutcome out;
        // The reference is scored as one more candidate: the anchor row.
        std::vector<std::pair<int64_t, polar::TextField>> items = job.candidates;
        items.emplace_back(-1, job.reference);
        std::vector<ScoredItem> scored(items.size());
        std::vector<polar::PolarInput> todo;
        std::vector<size_t> todoIndex;
        for (size_t i = 0; i < items.size(); ++i) {
            ScoredItem &s = scored[i];
            s.id = items[i].first;
            s.input = m_model->encoder().encode(job.prompt, job.reference, items[i].second, job.encode);
            s.score.tokens = int(s.input.ids.size());
            s.score.truncation = s.input.truncation.describe();
            s.score.encodedText = s.input.text;
            for (int id : s.input.ids)
                s.pieces.push_back(m_model->tokenizer().piece(id));
            auto hit = m_cache.find(s.input.text);
            if (hit != m_cache.end()) {
                s.ok = true;
                s.score.reward = hit->second;
                ++out.fromCache;
            } else {
                todo.push_back(s.input);
                todoIndex.push_back(i);
            }
        }
        polar::ScoreOptions so;
        so.batchTokens = job.batchTokens;
        so.cancel = job.cancel.get();
        so.progress = [this](size_t done, size_t total) { Q_EMIT scoreProgress(int(done), int(total)); };
        // One prompt and reference: their tokens run once for every candidate.
        const auto results = polar::scoreCandidates(*m_model, todo, so);
        for (size_t k = 0; k < results.size(); ++k) {
            ScoredItem &s = scored[todoIndex[k]];
            s.ok = results[k].ok;
            s.error = results[k].error;
            s.score.reward = results[k].reward;
            if (s.ok)
                m_cache[s.input.text] = s.score.reward;
        }
        out.computed = int(todo.size());
        out.reference = scored.back();
        scored.pop_back();
        out.candidates = std::move(scored);
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        Q_EMIT scoreFinished(out);
    } catch (const polar::Cancelled &) {
        Q_EMIT scoreFailed(tr("Scoring was cancelled."));
    } catch (const std::exception &e) {
        Q_EMIT scoreFailed(QString::fromUtf8(e.what()));
    }
}

void EngineWorker::attribute(const AttributionJob &job)
{
    if (!m_model) {
        Q_EMIT attributionFailed(tr("No model is loaded."));
        return;
    }
    try {
        AttributionOutcome out;
        polar::AttributionOptions o = job.options;
        o.cancel = job.cancel.get();
        const int parts = job.compareId ? 2 : 1;
        auto run = [&](int64_t id, const polar::TextField &output, int part) {
            o.progress = [this, part, parts](size_t done, size_t total) {
                Q_EMIT attributionProgress(int(part * total + done), int(parts * total));
            };
            AttributedCandidate c;
            c.id = id;
            c.input = m_model->encoder().encode(job.prompt, job.reference, output, o.encode);
            c.result = polar::attribute(*m_model, c.input, job.prompt, job.reference, output, o);
            return c;
        };
        out.options = job.options;
        out.main = run(job.id, job.output, 0);
        if (job.compareId)
            out.compare = run(job.compareId, job.compareOutput, 1);
        Q_EMIT attributionFinished(out);
    } catch (const polar::Cancelled &) {
        Q_EMIT attributionFailed(tr("Attribution was cancelled."));
    } catch (const std::exception &e) {
        Q_EMIT attributionFailed(QString::fromUtf8(e.what()));
    }
}

void EngineWorker::scoreItems(const ItemScoreJob &job)
{
    const auto started = std::chrono::steady_clock::now();
    if (!m_model) {
        Q_EMIT itemsScoreFailed(tr("No model is loaded."));
        return;
    }
    try {
        ItemScoreOutcome out;
        out.model = m_model->info().name;
        out.rewards = polar::scoreItems(*m_model, job.request, job.settings, job.cancel.get());
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        Q_EMIT itemsScored(out);
    } catch (const polar::Cancelled &) {
        Q_EMIT itemsScoreFailed(tr("Scoring was paused."));
    } catch (const std::exception &e) {
        Q_EMIT itemsScoreFailed(QString::fromUtf8(e.what()));
    }
}
