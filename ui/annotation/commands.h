#pragma once

#include "preferences/project.h"

#include <QUndoCommand>

class AnnotationDocument;

// One annotation change on one item: holds the item index and the annotation
// before and after, applied through the document (which stamps and saves it).
class AnnotateCommand : public QUndoCommand
{
public:
    enum { Id = 2001 };
    enum class Kind { Rank, Tie, Unrank, Move, Submit, Skip, Flag, Unflag, NoneAcceptable, Note, EditCandidate, WriteAnswer, Merge };

    AnnotateCommand(AnnotationDocument *doc, size_t item, polar::Annotation before, polar::Annotation after, Kind kind);
    void undo() override;
    void redo() override;
    int id() const override { return Id; }
    bool mergeWith(const QUndoCommand *other) override; // typing a note is one step
    Kind kind() const { return m_kind; }
    size_t item() const { return m_item; }
    static QString describe(Kind kind);

private:
    AnnotationDocument *m_doc;
    size_t m_item;
    polar::Annotation m_before, m_after;
    Kind m_kind;
};
