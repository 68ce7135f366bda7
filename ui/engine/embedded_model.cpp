#include "engine/embedded_model.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

QString embeddedModelDir()
{
    const QString source = QStringLiteral(":/models/tiny-polar");
    const QString target = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/models/tiny-polar";
    if (!QDir().mkpath(target))
        return {};
    QDirIterator it(source, QDir::Files);
    while (it.hasNext()) {
        const QString from = it.next();
        const QString to = target + "/" + QFileInfo(from).fileName();
        QFile in(from);
        if (QFileInfo(to).size() == in.size())
            continue;
        QSaveFile out(to);
        if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly) || out.write(in.readAll()) != in.size()
            || !out.commit())
            return {};
    }
    return target;
}

QString embeddedSeedExamplePath()
{
    return QStringLiteral(":/datasets/strawberry.jsonl");
}
