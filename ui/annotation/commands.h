#pragma once

#include "preferences/project.h"

#include <QUndoCommand>

class DatasetWindow;

// One annotation change on one item (rank, tie, flag, skip, submit, note,
// edit): holds the item index and the annotation before and after.
class AnnotateCommand : public QUndoCommand
{
public:
    enum { Id = 2001 };
    AnnotateCommand(DatasetWindow *window, size_t item, polar::Annotation before, polar::Annotation after, const QString &text);
    void undo() override;
    void redo() override;
    int id() const override { return Id; }
    bool mergeWith(const QUndoCommand *other) override; // typing a note is one step

private:
    DatasetWindow *m_window;
    size_t m_item;
    polar::Annotation m_before, m_after;
};
