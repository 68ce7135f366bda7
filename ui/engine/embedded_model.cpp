#include "engine/embedded_model.h"

#include "model/demo_model.h"

#include <exception>

QString embeddedModelDir(QString *error)
{
    try {
        return QString::fromStdString(polar::demoModelDirectory());
    } catch (const std::exception &e) {
        *error = QString::fromStdString(e.what());
        return {};
    }
}

bool isEmbeddedModelDir(const QString &directory)
{
    return polar::isDemoModelDirectory(directory.toStdString());
}

QString embeddedSeedExamplePath()
{
    return QStringLiteral(":/datasets/strawberry.jsonl");
}
