#include "workbench/session_controller.h"

#include "util/files.h"
#include "util/json.h"
#include "widgets/app_settings.h"
#include "widgets/file_dialogs.h"
#include "workbench/workspace_document.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>
#include <QUndoStack>
#include <QWidget>

namespace {

QString defaultRecoveryFile()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir().mkpath(dir);
    return dir + "/recovery.polar-session.json";
}

} // namespace

SessionController::SessionController(WorkspaceDocument *doc, QUndoStack *undo, QWidget *window, const QString &recoveryFile)
    : QObject(window), m_doc(doc), m_undo(undo), m_window(window),
      m_recoveryFile(recoveryFile.isEmpty() ? defaultRecoveryFile() : recoveryFile)
{
    connect(m_undo, &QUndoStack::cleanChanged, this, &SessionController::titleChanged);
    connect(m_doc, &WorkspaceDocument::changed, this, &SessionController::writeRecovery);
    // The first edit makes the stack dirty only after the document changed.
    connect(m_undo, &QUndoStack::cleanChanged, this, &SessionController::writeRecovery);
}

QString SessionController::title() const
{
    const QString name = m_sessionFile.isEmpty() ? tr("Untitled") : QFileInfo(m_sessionFile).fileName();
    return name + (m_undo->isClean() ? QString() : QStringLiteral(" *"));
}

void SessionController::detach()
{
    m_undo->clear();
    m_sessionFile.clear();
    Q_EMIT titleChanged();
}

void SessionController::newWorkspace()
{
    if (!maybeSave())
        return;
    m_doc->reset({});
    detach();
}

void SessionController::openDialog()
{
    if (!maybeSave())
        return;
    const QString path = askOpenPath(m_window, tr("Open session"), tr("Polar Studio sessions (*.polar.json *.json);;All files (*)"),
                                     m_sessionFile.isEmpty() ? QString() : QFileInfo(m_sessionFile).path());
    if (!path.isEmpty())
        open(path);
}

bool SessionController::open(const QString &path)
{
    polar::Workspace ws;
    try {
        ws = polar::loadWorkspace(path.toStdString());
    } catch (const std::exception &e) {
        Q_EMIT message(tr("Could not open the session: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_doc->reset(ws);
    m_undo->clear();
    m_sessionFile = path;
    AppSettings::remember(AppSettings::recentSessions, path);
    Q_EMIT titleChanged();
    Q_EMIT modelWanted(QString::fromStdString(ws.modelPath), QString::fromStdString(ws.settings.device),
                       QString::fromStdString(ws.settings.dtype));
    return true;
}

bool SessionController::saveTo(const QString &path)
{
    polar::Workspace ws = m_doc->workspace();
    if (fromWindow)
        fromWindow(ws);
    try {
        polar::saveWorkspace(path.toStdString(), ws);
    } catch (const std::exception &e) {
        Q_EMIT message(tr("Could not save the session: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_sessionFile = path;
    m_undo->setClean();
    AppSettings::remember(AppSettings::recentSessions, path);
    Q_EMIT titleChanged();
    Q_EMIT saved(path);
    return true;
}

bool SessionController::save()
{
    return m_sessionFile.isEmpty() ? saveAs() : saveTo(m_sessionFile);
}

bool SessionController::saveAs()
{
    const QString path = askSavePath(m_window, tr("Save session"), m_sessionFile.isEmpty() ? QStringLiteral("session.polar.json") : m_sessionFile,
                                     tr("Polar Studio sessions (*.polar.json);;JSON (*.json)"), QStringLiteral("polar.json"));
    return !path.isEmpty() && saveTo(path.endsWith(".json") ? path : path + ".polar.json");
}

bool SessionController::maybeSave()
{
    if (m_undo->isClean())
        return true;
    const auto answer = QMessageBox::question(m_window, tr("Unsaved changes"), tr("Save the changes to this session first?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void SessionController::writeRecovery()
{
    // Only unsaved edits are worth recovering: with none (a fresh start, a
    // session just opened or saved) there is no file, and no question after a crash.
    if (m_undo->isClean()) {
        QFile::remove(m_recoveryFile);
        return;
    }
    try {
        polar::Workspace ws = m_doc->workspace();
        if (fromWindow)
            fromWindow(ws);
        polar::Json j = polar::workspaceToJson(ws);
        j["recovery_of"] = m_sessionFile.toStdString();
        j["saved_at"] = QDateTime::currentDateTime().toString(Qt::ISODate).toStdString();
        polar::writeFileAtomically(m_recoveryFile.toStdString(), j.dump(2));
    } catch (const std::exception &e) {
        Q_EMIT message(tr("Autosave failed: %1").arg(QString::fromUtf8(e.what())));
    }
}

bool SessionController::hasRecovery() const
{
    return QFile::exists(m_recoveryFile);
}

bool SessionController::restoreRecovery()
{
    try {
        const std::string file = m_recoveryFile.toStdString();
        const polar::Workspace ws = polar::loadWorkspace(file);
        const polar::Json j = polar::parseJson(polar::readWholeFile(file), file);
        m_doc->reset(ws);
        m_undo->clear();
        m_undo->resetClean();
        m_sessionFile = QString::fromStdString(polar::optionalString(j, "recovery_of", file));
        Q_EMIT titleChanged();
        Q_EMIT modelWanted(QString::fromStdString(ws.modelPath), QString::fromStdString(ws.settings.device),
                           QString::fromStdString(ws.settings.dtype));
        return true;
    } catch (const std::exception &e) {
        Q_EMIT message(tr("Could not restore the autosaved work: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

void SessionController::discardRecovery()
{
    QFile::remove(m_recoveryFile);
}

QString SessionController::recoverySummary() const
{
    try {
        const std::string file = m_recoveryFile.toStdString();
        const polar::Json j = polar::parseJson(polar::readWholeFile(file), file);
        const polar::Workspace ws = polar::workspaceFromJson(j, file);
        const QString of = QString::fromStdString(polar::optionalString(j, "recovery_of", file));
        QString prompt = QString::fromStdString(ws.prompt.flattened()).simplified();
        if (prompt.size() > 60)
            prompt = prompt.left(57) + QStringLiteral("…");
        return tr("%1, autosaved %2: %3 candidates, prompt “%4”")
            .arg(of.isEmpty() ? tr("An unsaved workspace") : QFileInfo(of).fileName())
            .arg(QDateTime::fromString(QString::fromStdString(polar::optionalString(j, "saved_at", file)), Qt::ISODate)
                     .toString("yyyy-MM-dd HH:mm"))
            .arg(ws.candidates.size())
            .arg(prompt);
    } catch (const std::exception &e) {
        return tr("The autosave file cannot be read: %1").arg(QString::fromUtf8(e.what()));
    }
}
