#include "widgets/save_file.h"

#include "util/files.h"

#include <QFileInfo>

bool saveFile(const QString &path, const QByteArray &bytes, QString *error)
{
    try {
        polar::writeFileAtomically(path.toStdString(), bytes.toStdString());
        return true;
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
}

QString saveJsonAs(QWidget *parent, const QString &title, const QString &defaultName, const polar::Json &json)
{
    const QString path = askSavePath(parent, title, defaultName, QObject::tr("JSON (*.json)"), QStringLiteral("json"));
    QString error;
    if (!path.isEmpty())
        saveFile(path, QByteArray::fromStdString(json.dump(2) + "\n"), &error);
    return error;
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
    return withDefaultSuffix(QFileDialog::getSaveFileName(parent, title, defaultName, filter, nullptr, options), suffix);
}
