#include "annotation/commands.h"

#include "annotation/document.h"

#include <QObject>

AnnotateCommand::AnnotateCommand(AnnotationDocument *doc, size_t item, polar::Annotation before, polar::Annotation after, Kind kind)
    : m_doc(doc), m_item(item), m_before(std::move(before)), m_after(std::move(after)), m_kind(kind)
{
    setText(describe(kind));
}

QString AnnotateCommand::describe(Kind kind)
{
    switch (kind) {
    case Kind::Rank: return QObject::tr("Rank");
    case Kind::Tie: return QObject::tr("Tie");
    case Kind::Unrank: return QObject::tr("Unrank");
    case Kind::Move: return QObject::tr("Move candidate");
    case Kind::Submit: return QObject::tr("Submit");
    case Kind::Skip: return QObject::tr("Skip");
    case Kind::Flag: return QObject::tr("Flag");
    case Kind::Unflag: return QObject::tr("Unflag");
    case Kind::NoneAcceptable: return QObject::tr("None acceptable");
    case Kind::Note: return QObject::tr("Edit note");
    case Kind::EditCandidate: return QObject::tr("Edit candidate");
    case Kind::WriteAnswer: return QObject::tr("Write an answer");
    case Kind::Merge: return QObject::tr("Take another annotator's ranking");
    }
    return {};
}

void AnnotateCommand::undo()
{
    m_doc->setAnnotation(m_item, m_before);
}

void AnnotateCommand::redo()
{
    m_doc->setAnnotation(m_item, m_after);
}

bool AnnotateCommand::mergeWith(const QUndoCommand *other)
{
    auto *o = static_cast<const AnnotateCommand *>(other);
    // Only consecutive note edits of one item merge.
    if (o->m_item != m_item || m_kind != Kind::Note || o->m_kind != Kind::Note)
        return false;
    m_after = o->m_after;
    return true;
}
