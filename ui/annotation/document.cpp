#include "annotation/document.h"

#include <numeric>

#include "preferences/annotated_jsonl.h"
#include "preferences/metrics.h"
#include "widgets/app_settings.h"
#include "widgets/counted_text.h"

#include <QDateTime>
#include <QFileInfo>
#include <QUndoStack>

AnnotationDocument::AnnotationDocument(QObject *parent) : QObject(parent), m_undo(new QUndoStack(this)) {}
AnnotationDocument::~AnnotationDocument() = default;

void AnnotationDocument::setProject(std::unique_ptr<polar::PreferenceProject> project)
{
    m_undo->clear(); // its commands refer to the old project's items
    m_project = std::move(project);
    ++m_generation;
    Q_EMIT projectChanged();
}

void AnnotationDocument::addTime(size_t item, double seconds)
{
    if (!m_project || !m_project->writable() || item >= m_project->size())
        return;
    try {
        m_project->addTime(item, annotator().toStdString(), seconds);
    } catch (const std::exception &e) {
        Q_EMIT saveFailed(QString::fromUtf8(e.what()));
    }
}

void AnnotationDocument::setScoringModel(const std::string &model)
{
    if (!m_project || m_project->scoringModel() == model)
        return;
    m_project->setScoringModel(model);
    std::vector<size_t> all(m_project->size());
    std::iota(all.begin(), all.end(), size_t(0));
    Q_EMIT rewardsChanged(all);
}

polar::Annotation AnnotationDocument::annotation(size_t item) const
{
    polar::Annotation a = m_project->item(item).annotation;
    a.ranks.resize(m_project->candidates(item).size(), 0);
    return a;
}

QString AnnotationDocument::annotator()
{
    const QString name = AppSettings::annotator.get();
    return name.isEmpty() ? qEnvironmentVariable("USER", "annotator") : name;
}

bool AnnotationDocument::edit(size_t item, const polar::Annotation &after, AnnotateCommand::Kind kind)
{
    if (!m_project || item >= m_project->size())
        return false;
    if (!m_project->writable()) {
        Q_EMIT saveFailed(tr("This project is open read-only: nothing is saved."));
        return false;
    }
    m_undo->push(new AnnotateCommand(this, item, m_project->item(item).annotation, after, kind));
    return true;
}

AnnotationDocument::Comparison AnnotationDocument::compareWith(const std::vector<polar::AnnotatedItem> &theirs, const QString &path)
{
    Comparison out;
    if (!m_project)
        return out;
    const auto mine = m_project->annotatedItems();
    out.agreement = polar::annotatorAgreement(mine, polar::alignItems(mine, theirs));
    const auto changes = polar::planMerge(*m_project, theirs, path.toStdString(), annotator().toStdString(),
                                          QDateTime::currentSecsSinceEpoch());
    if (changes.empty() || !m_project->writable())
        return out;
    m_undo->beginMacro(tr("Take %1 from %2")
                           .arg(countedText(qint64(changes.size()), tr("1 ranking"), tr("%1 rankings")), QFileInfo(path).fileName()));
    for (const auto &c : changes)
        m_undo->push(new AnnotateCommand(this, c.item, m_project->item(c.item).annotation, c.annotation, AnnotateCommand::Kind::Merge));
    m_undo->endMacro();
    out.taken = changes.size();
    return out;
}

bool AnnotationDocument::setAnnotation(size_t item, polar::Annotation a)
{
    if (!m_project)
        return false;
    a.annotator = annotator().toStdString();
    a.time = QDateTime::currentSecsSinceEpoch();
    try {
        m_project->setAnnotation(item, a); // on disk before it is shown
    } catch (const std::exception &e) {
        Q_EMIT saveFailed(tr("NOT saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    Q_EMIT itemChanged(item);
    return true;
}

bool AnnotationDocument::setRewards(const std::vector<polar::ItemRewards> &rewards, const std::string &model)
{
    if (!m_project)
        return false;
    try {
        m_project->setRewards(rewards, model);
    } catch (const std::exception &e) {
        Q_EMIT saveFailed(tr("Rewards NOT saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    std::vector<size_t> items;
    for (const auto &r : rewards)
        items.push_back(r.item);
    Q_EMIT rewardsChanged(items);
    return true;
}

