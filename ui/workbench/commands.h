#pragma once

#include "workbench/workspace_document.h"

#include <QUndoCommand>

// One QUndoCommand per user verb. They hold candidate ids and old/new values,
// never model indexes, so they stay valid across reorders.

class EditFieldCommand : public QUndoCommand
{
public:
    enum { Id = 1001 };
    EditFieldCommand(WorkspaceDocument *doc, WorkspaceDocument::Field field, polar::TextField before,
                     polar::TextField after);
    void undo() override;
    void redo() override;
    int id() const override { return Id; }
    bool mergeWith(const QUndoCommand *other) override; // consecutive typing is one step

private:
    WorkspaceDocument *m_doc;
    WorkspaceDocument::Field m_field;
    polar::TextField m_before, m_after;
};

class EditCandidateCommand : public QUndoCommand
{
public:
    enum { Id = 1002 };
    EditCandidateCommand(WorkspaceDocument *doc, int64_t candidateId, polar::TextField before, polar::TextField after);
    void undo() override;
    void redo() override;
    int id() const override { return Id; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    WorkspaceDocument *m_doc;
    int64_t m_id;
    polar::TextField m_before, m_after;
};

class AddCandidatesCommand : public QUndoCommand
{
public:
    // Inserts `candidates` (with fresh ids) from `row` on.
    AddCandidatesCommand(WorkspaceDocument *doc, int row, std::vector<polar::Candidate> candidates, const QString &text);
    void undo() override;
    void redo() override;

private:
    WorkspaceDocument *m_doc;
    int m_row;
    std::vector<polar::Candidate> m_candidates;
};

class RemoveCandidateCommand : public QUndoCommand
{
public:
    RemoveCandidateCommand(WorkspaceDocument *doc, int64_t candidateId);
    void undo() override;
    void redo() override;

private:
    WorkspaceDocument *m_doc;
    int64_t m_id;
    int m_row;
    polar::Candidate m_removed;
};

class MoveCandidateCommand : public QUndoCommand
{
public:
    MoveCandidateCommand(WorkspaceDocument *doc, int64_t candidateId, int toRow);
    void undo() override;
    void redo() override;

private:
    WorkspaceDocument *m_doc;
    int64_t m_id;
    int m_from, m_to;
};

class SetMarksCommand : public QUndoCommand
{
public:
    using Marks = std::vector<std::pair<int64_t, polar::Candidate::Mark>>;
    SetMarksCommand(WorkspaceDocument *doc, Marks after, const QString &text);
    void undo() override;
    void redo() override;

private:
    WorkspaceDocument *m_doc;
    Marks m_before, m_after;
};
