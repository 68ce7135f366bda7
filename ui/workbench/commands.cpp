#include "workbench/commands.h"

#include <QObject>

EditFieldCommand::EditFieldCommand(WorkspaceDocument *doc, WorkspaceDocument::Field field, polar::TextField before,
                                   polar::TextField after)
    : m_doc(doc), m_field(field), m_before(std::move(before)), m_after(std::move(after))
{
    setText(field == WorkspaceDocument::Field::Prompt ? QObject::tr("Edit prompt") : QObject::tr("Edit reference"));
}

void EditFieldCommand::undo() { m_doc->setField(m_field, m_before); }
void EditFieldCommand::redo() { m_doc->setField(m_field, m_after); }

bool EditFieldCommand::mergeWith(const QUndoCommand *other)
{
    auto *o = static_cast<const EditFieldCommand *>(other);
    if (o->m_field != m_field || o->m_after.isMessages != m_after.isMessages)
        return false;
    m_after = o->m_after;
    return true;
}

EditCandidateCommand::EditCandidateCommand(WorkspaceDocument *doc, int64_t candidateId, polar::TextField before,
                                           polar::TextField after)
    : m_doc(doc), m_id(candidateId), m_before(std::move(before)), m_after(std::move(after))
{
    setText(QObject::tr("Edit candidate"));
}

void EditCandidateCommand::undo() { m_doc->setCandidateText(m_id, m_before); }
void EditCandidateCommand::redo() { m_doc->setCandidateText(m_id, m_after); }

bool EditCandidateCommand::mergeWith(const QUndoCommand *other)
{
    auto *o = static_cast<const EditCandidateCommand *>(other);
    if (o->m_id != m_id || o->m_after.isMessages != m_after.isMessages)
        return false;
    m_after = o->m_after;
    return true;
}

AddCandidatesCommand::AddCandidatesCommand(WorkspaceDocument *doc, int row, std::vector<polar::Candidate> candidates,
                                           const QString &text)
    : m_doc(doc), m_row(row), m_candidates(std::move(candidates))
{
    for (auto &c : m_candidates)
        c.id = doc->allocateId();
    setText(text);
}

void AddCandidatesCommand::undo()
{
    for (const auto &c : m_candidates)
        m_doc->removeCandidate(c.id);
}

void AddCandidatesCommand::redo()
{
    int row = m_row;
    for (const auto &c : m_candidates)
        m_doc->insertCandidate(row++, c);
}

RemoveCandidateCommand::RemoveCandidateCommand(WorkspaceDocument *doc, int64_t candidateId)
    : m_doc(doc), m_id(candidateId), m_row(doc->rowOf(candidateId))
{
    setText(QObject::tr("Delete candidate"));
}

void RemoveCandidateCommand::undo() { m_doc->insertCandidate(m_row, m_removed); }

void RemoveCandidateCommand::redo()
{
    m_row = m_doc->rowOf(m_id);
    m_removed = m_doc->removeCandidate(m_id);
}

MoveCandidateCommand::MoveCandidateCommand(WorkspaceDocument *doc, int64_t candidateId, int toRow)
    : m_doc(doc), m_id(candidateId), m_from(doc->rowOf(candidateId)), m_to(toRow)
{
    setText(QObject::tr("Move candidate"));
}

void MoveCandidateCommand::undo() { m_doc->moveCandidate(m_id, m_from); }
void MoveCandidateCommand::redo() { m_doc->moveCandidate(m_id, m_to); }

SetMarksCommand::SetMarksCommand(WorkspaceDocument *doc, Marks after, const QString &text)
    : m_doc(doc), m_after(std::move(after))
{
    for (const auto &[id, mark] : m_after) {
        const int row = doc->rowOf(id);
        m_before.emplace_back(id, row < 0 ? polar::Candidate::Mark::None : doc->candidateAt(row).mark);
    }
    setText(text);
}

void SetMarksCommand::undo()
{
    for (const auto &[id, mark] : m_before)
        m_doc->setMark(id, mark);
}

void SetMarksCommand::redo()
{
    for (const auto &[id, mark] : m_after)
        m_doc->setMark(id, mark);
}
