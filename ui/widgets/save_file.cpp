#include "widgets/save_file.h"

#include <QFileInfo>

QString withDefaultSuffix(const QString &path, const QString &suffix)
{
    if (path.isEmpty() || !QFileInfo(path).suffix().isEmpty())
        return path;
    return path + '.' + suffix;
}

QString askSavePath(QWidget *parent, const QString &title, const QString &defaultName, const QString &filter,
                    const QString &suffix, QFileDialog::Options options)
{
    return withDefaultSuffix(QFileDialog::getSaveFileName(parent, title, defaultName, filter, nullptr, options), suffix);
}
