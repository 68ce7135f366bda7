#include "workbench/candidate_split.h"

#include <QRegularExpression>

QStringList splitCandidates(const QString &text)
{
    QString normalized = text;
    normalized.replace("\r\n", "\n");
    static const QRegularExpression dashes(QStringLiteral("^[ \\t]*---[ \\t]*$"), QRegularExpression::MultilineOption);
    static const QRegularExpression blank(QStringLiteral("\\n[ \\t]*\\n"));
    const QStringList parts = normalized.contains(dashes) ? normalized.split(dashes) : normalized.split(blank);
    QStringList out;
    for (const QString &p : parts)
        if (!p.trimmed().isEmpty())
            out << p.trimmed();
    return out;
}
