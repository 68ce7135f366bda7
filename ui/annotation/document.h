#pragma once

#include "annotation/commands.h"
#include "preferences/annotator_merge.h"
#include "preferences/metrics.h"
#include "preferences/project.h"

#include <QObject>
#include <QString>

#include <memory>

class QUndoStack;

// The dataset side's document (as WorkspaceDocument is the workbench's): owns
// the open project and is the one way the GUI changes it. Every annotation is
// stamped with the annotator and the time before it is saved; a change that
// cannot be saved reports saveFailed and is not shown as made.
class AnnotationDocument : public QObject
{
    Q_OBJECT

public:
    explicit AnnotationDocument(QObject *parent = nullptr);
    ~AnnotationDocument() override;

    void setProject(std::unique_ptr<polar::PreferenceProject> project);
    const polar::PreferenceProject *project() const { return m_project.get(); }
    bool isOpen() const { return m_project != nullptr; }
    // Counts the projects opened: work started on one (a chunk being scored, a
    // fine-tune) compares it before it writes item-indexed results back, which
    // would otherwise land on another dataset's items at the same positions.
    quint64 projectGeneration() const { return m_generation; }
    size_t size() const { return m_project ? m_project->size() : 0; }
    // The annotation as shown for editing: ranks sized to the candidates.
    polar::Annotation annotation(size_t item) const;

    // The name stored with each decision (settings, else $USER).
    static QString annotator();

    // The user's verbs, each an undo step (false when the project is read-only).
    QUndoStack *undoStack() const { return m_undo; }
    bool edit(size_t item, const polar::Annotation &after, AnnotateCommand::Kind kind);
    // Another annotator's items (`theirs`, read from their project or
    // annotated JSONL at `path`): their rankings taken for the items not
    // decided here (core's planMerge, all in one undo step) and the agreement
    // between the two.
    struct Comparison
    {
        polar::AnnotatorAgreement agreement;
        size_t taken = 0;
    };
    Comparison compareWith(const std::vector<polar::AnnotatedItem> &theirs, const QString &path);

    // Saves (journal first) and emits itemChanged; false and saveFailed when it
    // could not. The undo commands' way in: stamps annotator and time.
    bool setAnnotation(size_t item, polar::Annotation annotation);
    bool setRewards(const std::vector<polar::ItemRewards> &rewards, const std::string &model);
    // The loaded model's name: rewards another model gave show as stale and
    // are scored again (PreferenceProject::setScoringModel).
    void setScoringModel(const std::string &model);
    // Records time the annotator spent on an item (not an undo step).
    void addTime(size_t item, double seconds);
    // The annotated JSONL of every item (docs/dataset-formats.md), written atomically.

Q_SIGNALS:
    void projectChanged();
    void itemChanged(size_t item);
    void rewardsChanged(const std::vector<size_t> &items);
    void saveFailed(const QString &message);

private:
    std::unique_ptr<polar::PreferenceProject> m_project;
    quint64 m_generation = 0;
    QUndoStack *m_undo;
};
