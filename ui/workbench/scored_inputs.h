#pragma once

#include "model/reward_model.h"
#include "scoring/candidate_job.h"

#include <QObject>
#include <QStringList>

#include <map>
#include <optional>

class WorkspaceDocument;

// What the workbench last asked the engine, and what came back: the job for
// the document's current inputs, the merge of its result into the document
// (results for texts edited meanwhile are dropped), and the latest encoding
// of each candidate and of the reference, for the views. No widgets.
class ScoredInputs : public QObject
{
    Q_OBJECT

public:
    explicit ScoredInputs(WorkspaceDocument *doc, QObject *parent = nullptr);

    // Why the workspace cannot be scored ("a prompt and a reference"), or empty.
    QString missingInputs() const;
    polar::CandidatesJob job();
    // Merges a result into the document; returns the candidates' errors, and
    // false in `current` when the prompt or reference changed meanwhile.
    // `scorer`: the model that scored it.
    QStringList apply(const polar::CandidatesResult &result, const polar::ModelInfo &scorer, bool *current);
    // The encoding the candidate's shown reward was computed from (null when
    // none, or when its text changed since). kReferenceRowId: the reference's.
    const polar::CandidateScore *encoding(int64_t id) const;
    void clear();

private:
    WorkspaceDocument *m_doc;
    polar::CandidatesJob m_pending;
    std::map<int64_t, polar::CandidateScore> m_scored;
    std::optional<polar::CandidateScore> m_reference;
};
