#include "workbench/workspace_document.h"

WorkspaceDocument::WorkspaceDocument(QObject *parent) : QObject(parent) {}

const polar::TextField &WorkspaceDocument::field(Field f) const
{
    return f == Field::Prompt ? m_ws.prompt : m_ws.reference;
}

void WorkspaceDocument::reset(polar::Workspace ws)
{
    m_ws = std::move(ws);
    Q_EMIT workspaceReset();
    Q_EMIT changed();
}

void WorkspaceDocument::setField(Field f, const polar::TextField &value)
{
    polar::TextField &target = f == Field::Prompt ? m_ws.prompt : m_ws.reference;
    if (target == value)
        return;
    target = value;
    clearScores(); // every input of the template changed
    Q_EMIT fieldChanged(f);
    Q_EMIT changed();
}

void WorkspaceDocument::setCandidateText(int64_t id, const polar::TextField &value)
{
    polar::Candidate *c = m_ws.find(id);
    if (!c || c->text == value)
        return;
    c->text = value;
    if (c->score) {
        c->score.reset();
        Q_EMIT scoresChanged();
    }
    Q_EMIT candidateTextChanged(id);
    Q_EMIT changed();
}

void WorkspaceDocument::insertCandidate(int row, const polar::Candidate &c)
{
    row = std::clamp(row, 0, candidateCount());
    Q_EMIT candidateAboutToBeInserted(row);
    m_ws.candidates.insert(m_ws.candidates.begin() + row, c);
    m_ws.nextId = std::max(m_ws.nextId, c.id + 1);
    Q_EMIT candidateInserted(row);
    Q_EMIT scoresChanged();
    Q_EMIT changed();
}

polar::Candidate WorkspaceDocument::removeCandidate(int64_t id)
{
    const int row = rowOf(id);
    if (row < 0)
        return {};
    Q_EMIT candidateAboutToBeRemoved(row);
    polar::Candidate c = m_ws.candidates[size_t(row)];
    m_ws.candidates.erase(m_ws.candidates.begin() + row);
    Q_EMIT candidateRemoved(row);
    Q_EMIT scoresChanged();
    Q_EMIT changed();
    return c;
}

void WorkspaceDocument::moveCandidate(int64_t id, int toRow)
{
    const int from = rowOf(id);
    toRow = std::clamp(toRow, 0, candidateCount() - 1);
    if (from < 0 || from == toRow)
        return;
    Q_EMIT candidateAboutToBeMoved(from, toRow);
    polar::Candidate c = m_ws.candidates[size_t(from)];
    m_ws.candidates.erase(m_ws.candidates.begin() + from);
    m_ws.candidates.insert(m_ws.candidates.begin() + toRow, c);
    Q_EMIT candidateMoved(from, toRow);
    Q_EMIT scoresChanged();
    Q_EMIT changed();
}

void WorkspaceDocument::setMark(int64_t id, Mark mark)
{
    polar::Candidate *c = m_ws.find(id);
    if (!c || c->mark == mark)
        return;
    c->mark = mark;
    Q_EMIT markChanged(id);
    Q_EMIT changed();
}

void WorkspaceDocument::setModelPath(const std::string &path)
{
    if (m_ws.modelPath == path)
        return;
    m_ws.modelPath = path;
    Q_EMIT changed();
}

void WorkspaceDocument::setSettings(const polar::WorkspaceSettings &s)
{
    m_ws.settings = s;
    Q_EMIT changed();
}

void WorkspaceDocument::setScores(const std::map<int64_t, polar::CandidateScore> &scores,
                                  const std::optional<polar::CandidateScore> &referenceScore, const std::string &model,
                                  const std::string &dtype)
{
    m_ws.scoredBy = model;
    m_ws.scoredDtype = dtype;
    for (auto &c : m_ws.candidates) {
        auto it = scores.find(c.id);
        if (it != scores.end())
            c.score = it->second;
    }
    m_ws.referenceScore = referenceScore;
    Q_EMIT scoresChanged();
    Q_EMIT changed();
}

void WorkspaceDocument::clearScores()
{
    bool any = m_ws.referenceScore.has_value();
    for (auto &c : m_ws.candidates) {
        any = any || c.score.has_value();
        c.score.reset();
    }
    m_ws.referenceScore.reset();
    m_ws.scoredBy.clear();
    m_ws.scoredDtype.clear();
    if (any)
        Q_EMIT scoresChanged();
}
