#include "widgets/file_dialogs.h"

#include "widgets/app_settings.h"

#include <QDir>
#include <QFileInfo>

QString dialogStart(const QString &nameOrPath)
{
    const QString folder = AppSettings::lastFolder.get();
    if (nameOrPath.contains('/') || folder.isEmpty() || !QFileInfo(folder).isDir())
        return nameOrPath;
    return nameOrPath.isEmpty() ? folder : QDir(folder).filePath(nameOrPath);
}

QString rememberFolderOf(const QString &path)
{
    if (!path.isEmpty())
        AppSettings::lastFolder.set(QFileInfo(path).absolutePath());
    return path;
}

QString withDefaultSuffix(const QString &path, const QString &suffix)
{
    if (path.isEmpty() || !QFileInfo(path).suffix().isEmpty())
        return path;
    return path + '.' + suffix;
}

QString askSavePath(QWidget *parent, const QString &title, const QString &defaultName, const QString &filter,
                    const QString &suffix, QFileDialog::Options options)
{
    return rememberFolderOf(
        withDefaultSuffix(QFileDialog::getSaveFileName(parent, title, dialogStart(defaultName), filter, nullptr, options), suffix));
}

QString askOpenPath(QWidget *parent, const QString &title, const QString &filter, const QString &folder)
{
    return rememberFolderOf(QFileDialog::getOpenFileName(parent, title, folder.isEmpty() ? dialogStart({}) : folder, filter));
}
