#include "annotation/commands.h"

#include "annotation/dataset_window.h"

AnnotateCommand::AnnotateCommand(DatasetWindow *window, size_t item, polar::Annotation before, polar::Annotation after,
                                 const QString &text)
    : m_window(window), m_item(item), m_before(std::move(before)), m_after(std::move(after))
{
    setText(text);
}

void AnnotateCommand::undo()
{
    m_window->applyAnnotation(m_item, m_before);
}

void AnnotateCommand::redo()
{
    m_window->applyAnnotation(m_item, m_after);
}

bool AnnotateCommand::mergeWith(const QUndoCommand *other)
{
    auto *o = static_cast<const AnnotateCommand *>(other);
    // Only consecutive note edits of one item merge.
    if (o->m_item != m_item || text() != QObject::tr("Edit note") || o->text() != text())
        return false;
    m_after = o->m_after;
    return true;
}
