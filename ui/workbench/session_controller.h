#pragma once

#include "workbench/workspace.h"

#include <QObject>
#include <QString>

#include <functional>

class QUndoStack;
class QWidget;
class WorkspaceDocument;

// Sessions on disk: new, open, save, save as, the unsaved-changes question,
// and the recovery file every change is autosaved to (restored after a crash).
class SessionController : public QObject
{
    Q_OBJECT

public:
    // `recoveryFile`: where every change is autosaved (empty: the app data folder).
    SessionController(WorkspaceDocument *doc, QUndoStack *undo, QWidget *window, const QString &recoveryFile);

    QString sessionFile() const { return m_sessionFile; }
    QString recoveryFile() const { return m_recoveryFile; }
    // The session's title: file name and a star when modified.
    QString title() const;

    void newWorkspace();
    void openDialog();
    bool open(const QString &path);
    bool save();
    bool saveAs();
    bool saveTo(const QString &path);
    // True when it is fine to drop the current session (saved, discarded, or unmodified).
    bool maybeSave();
    // Forgets the session file (a fresh workspace, e.g. the seed example).
    void detach();

    void writeRecovery();
    bool hasRecovery() const;
    // What a restore would bring back, for the question after a crash.
    QString recoverySummary() const;
    bool restoreRecovery();
    void discardRecovery();

    // The loaded model, device and dtype are kept with the session: the
    // window fills them in when it is saved or autosaved.
    std::function<void(polar::Workspace &)> fromWindow;

Q_SIGNALS:
    void titleChanged();
    void saved(const QString &path);
    // A session names its model: loading it is the window's job.
    void modelWanted(const QString &dir, const QString &device, const QString &dtype);
    void message(const QString &text);

private:
    WorkspaceDocument *m_doc;
    QUndoStack *m_undo;
    QWidget *m_window;
    QString m_recoveryFile;
    QString m_sessionFile;
};
