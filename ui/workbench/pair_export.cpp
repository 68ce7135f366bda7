#include "workbench/pair_export.h"

#include "preferences/pair_format.h"
#include "widgets/app_settings.h"
#include "widgets/save_file.h"
#include "workbench/workspace_pairs.h"

#include <QFileDialog>
#include <QMessageBox>
#include <QObject>

int appendWorkspacePairs(const polar::Workspace &ws, const QString &path, bool useModelRanking, QString *message)
{
    const auto pairs = useModelRanking ? polar::rankingPairs(ws) : polar::markedPairs(ws);
    if (pairs.empty()) {
        *message = useModelRanking ? QObject::tr("No pairs: score at least two candidates with different rewards.")
                                   : QObject::tr("No pairs: mark at least one candidate chosen (Ctrl+1) and one rejected (Ctrl+2).");
        return 0;
    }
    try {
        const auto s = polar::appendPairs(path.toStdString(), pairs, polar::PairFormat::Polar);
        const size_t n = s.written;
        *message = QObject::tr("Wrote %1 %2 to %3").arg(n).arg(n == 1 ? QObject::tr("pair") : QObject::tr("pairs")).arg(path);
        if (s.alreadyThere)
            *message += QObject::tr(" (%1 already in the file, not written again)").arg(s.alreadyThere);
        return int(n);
    } catch (const std::exception &e) {
        *message = QObject::tr("Export failed: %1").arg(QString::fromUtf8(e.what()));
        return -1;
    }
}

int exportWorkspacePairs(QWidget *parent, const polar::Workspace &ws, bool hasScores, QString *message)
{
    bool useRanking = false;
    if (!polar::hasMarks(ws)) {
        if (!hasScores) {
            *message = QObject::tr("Mark candidates chosen/rejected, or score them to export the model's ranking.");
            return 0;
        }
        if (QMessageBox::question(parent, QObject::tr("Export pairs"),
                                  QObject::tr("No candidate is marked. Export every pair implied by the model's ranking?"))
            != QMessageBox::Yes)
            return 0;
        useRanking = true;
    }
    const QString last = AppSettings::lastExportFile.get();
    const QString path = askSavePath(parent, QObject::tr("Append pairs to"), last.isEmpty() ? QStringLiteral("train.jsonl") : last,
                                     QObject::tr("JSON Lines (*.jsonl)"), QStringLiteral("jsonl"), QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty())
        return 0;
    AppSettings::lastExportFile.set(path);
    return appendWorkspacePairs(ws, path, useRanking, message);
}
