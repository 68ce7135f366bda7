#include "widgets/save_file.h"

#include "util/files.h"


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
