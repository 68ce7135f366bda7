#pragma once

#include "workbench/workspace.h"

#include <QWidget>

class CandidateListModel;
class QListView;
class QUndoStack;
class TextFieldEditor;
class WorkspaceDocument;

// The workbench's left pane: prompt, reference, the candidate list and the
// selected candidate's editor, and the verbs on candidates. Every edit is an
// undo command over the document.
class WorkspaceEditor : public QWidget
{
    Q_OBJECT

public:
    WorkspaceEditor(WorkspaceDocument *doc, QUndoStack *undo, QWidget *parent = nullptr);

    CandidateListModel *candidateModel() const { return m_candidates; }
    QListView *candidateList() const { return m_list; }
    TextFieldEditor *promptEditor() const { return m_prompt; }
    TextFieldEditor *referenceEditor() const { return m_reference; }
    TextFieldEditor *candidateEditor() const { return m_candidate; }
    int64_t currentId() const;
    void select(int64_t id);

    void addCandidate();
    void duplicateCandidate();
    void deleteCandidate();
    void moveCandidate(int delta);
    void pasteCandidates();
    // Prompt, reference and candidates from one record of a JSONL file, asking which when it holds several.
    void importRecord(const QString &path);
    void markSelected(polar::Candidate::Mark mark);
    void acceptModelRanking();

Q_SIGNALS:
    void currentChanged(int64_t id);
    void message(const QString &text);

private:
    void onCurrentChanged();

    WorkspaceDocument *m_doc;
    QUndoStack *m_undo;
    CandidateListModel *m_candidates;
    TextFieldEditor *m_prompt, *m_reference, *m_candidate;
    QListView *m_list;
};
