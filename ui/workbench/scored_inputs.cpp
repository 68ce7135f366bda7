#include "workbench/scored_inputs.h"

#include "workbench/workspace_document.h"

ScoredInputs::ScoredInputs(WorkspaceDocument *doc, QObject *parent) : QObject(parent), m_doc(doc)
{
    connect(m_doc, &WorkspaceDocument::workspaceReset, this, &ScoredInputs::clear);
}

QString ScoredInputs::missingInputs() const
{
    const auto &ws = m_doc->workspace();
    QStringList missing;
    if (QString::fromStdString(ws.prompt.flattened()).trimmed().isEmpty())
        missing << tr("a prompt");
    if (QString::fromStdString(ws.reference.flattened()).trimmed().isEmpty())
        missing << tr("a reference");
    if (ws.candidates.empty())
        missing << tr("at least one candidate");
    return missing.join(tr(" and "));
}

polar::CandidatesJob ScoredInputs::job()
{
    const auto &ws = m_doc->workspace();
    polar::CandidatesJob job;
    job.prompt = ws.prompt;
    job.reference = ws.reference;
    for (const auto &c : ws.candidates)
        job.candidates.emplace_back(c.id, c.text);
    job.settings = ws.settings;
    m_pending = job;
    return job;
}

QStringList ScoredInputs::apply(const polar::CandidatesResult &result, const polar::ModelInfo &scorer, bool *current)
{
    const auto &ws = m_doc->workspace();
    // Results for a prompt or reference edited meanwhile are dropped whole;
    // for an edited candidate, only that candidate's.
    *current = ws.prompt == m_pending.prompt && ws.reference == m_pending.reference;
    QStringList errors;
    if (!*current)
        return errors;
    std::map<int64_t, polar::CandidateScore> scores;
    for (size_t i = 0; i < result.candidates.size(); ++i) {
        const auto &[id, s] = result.candidates[i];
        const polar::Candidate *c = ws.find(id);
        if (!c || !(c->text == m_pending.candidates[i].second))
            continue;
        if (!s.ok) {
            errors << tr("#%1: %2").arg(ws.indexOf(id) + 1).arg(QString::fromStdString(s.error));
            continue;
        }
        scores[id] = s;
        m_scored[id] = s;
    }
    std::optional<polar::CandidateScore> reference;
    if (result.reference.ok)
        m_reference = reference = result.reference;
    m_doc->setScores(scores, reference, scorer.directory, scorer.dtype);
    return errors;
}

const polar::CandidateScore *ScoredInputs::encoding(int64_t id) const
{
    if (id == polar::kReferenceRowId)
        return m_reference && m_reference->input ? &*m_reference : nullptr;
    auto it = m_scored.find(id);
    const int row = m_doc->rowOf(id);
    if (it == m_scored.end() || row < 0 || !it->second.input)
        return nullptr;
    const auto &score = m_doc->candidateAt(row).score;
    return score && score->encodedText == it->second.input->text ? &it->second : nullptr;
}

void ScoredInputs::clear()
{
    m_scored.clear();
    m_reference.reset();
}
