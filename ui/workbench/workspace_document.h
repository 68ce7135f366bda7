#pragma once

#include "workbench/workspace.h"

#include <QObject>

#include <map>

// The open workspace: polar::Workspace plus change signals. Views and models
// read it; only undo commands (commands.h) and scoring write it.
class WorkspaceDocument : public QObject
{
    Q_OBJECT

public:
    enum class Field { Prompt, Reference };
    using Mark = polar::Candidate::Mark;

    explicit WorkspaceDocument(QObject *parent = nullptr);

    const polar::Workspace &workspace() const { return m_ws; }
    const polar::TextField &field(Field f) const;
    int candidateCount() const { return int(m_ws.candidates.size()); }
    const polar::Candidate &candidateAt(int row) const { return m_ws.candidates[size_t(row)]; }
    int rowOf(int64_t id) const { return m_ws.indexOf(id); }

    void reset(polar::Workspace ws);
    void setField(Field f, const polar::TextField &value);
    void setCandidateText(int64_t id, const polar::TextField &value);
    void insertCandidate(int row, const polar::Candidate &c);
    polar::Candidate removeCandidate(int64_t id);
    void moveCandidate(int64_t id, int toRow);
    void setMark(int64_t id, Mark mark);
    void setModelPath(const std::string &path);
    void setSettings(const polar::WorkspaceSettings &s);
    int64_t allocateId() { return m_ws.nextId++; }

    // Scores are results, not edits: not undoable, and dropped when the text
    // they were computed for changes.
    // `model`, `dtype`: the directory and compute precision that gave them.
    void setScores(const std::map<int64_t, polar::CandidateScore> &scores,
                   const std::optional<polar::CandidateScore> &referenceScore,
                   const std::string &model, const std::string &dtype);
    void clearScores();

Q_SIGNALS:
    void workspaceReset();
    void fieldChanged(WorkspaceDocument::Field f);
    void candidateTextChanged(int64_t id);
    void candidateAboutToBeInserted(int row);
    void candidateInserted(int row);
    void candidateAboutToBeRemoved(int row);
    void candidateRemoved(int row);
    void candidateAboutToBeMoved(int from, int to);
    void candidateMoved(int from, int to);
    void markChanged(int64_t id);
    void scoresChanged();
    // Any change worth autosaving.
    void changed();

private:
    polar::Workspace m_ws;
};
