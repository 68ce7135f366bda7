#include "annotation/project_opener.h"
#include "widgets/busy_work.h"
#include "widgets/counted_text.h"
#include "widgets/window_size.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

bool consentDialog(QWidget *parent, const QString &path, const std::vector<polar::InvalidLine> &invalid)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Invalid lines"));
    auto *list = new QListWidget;
    for (const auto &bad : invalid)
        list->addItem(QObject::tr("line %1: %2").arg(bad.line).arg(QString::fromStdString(bad.reason)));
    auto *buttons = new QDialogButtonBox;
    buttons->addButton(QObject::tr("Skip these lines and open"), QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *l = new QVBoxLayout(&dialog);
    l->addWidget(new QLabel(QObject::tr("%1 of %2 cannot be read. The file itself is never modified.")
                                .arg(countedText(qint64(invalid.size()), QObject::tr("1 line"), QObject::tr("%1 lines")), path)));
    l->addWidget(list);
    l->addWidget(buttons);
    sizeToScreen(&dialog, QSize(700, 400));
    return dialog.exec() == QDialog::Accepted;
}

int askDialog(QWidget *parent, const QString &title, const QString &text, const QStringList &choices)
{
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Cancel, parent);
    QList<QAbstractButton *> buttons;
    for (const QString &c : choices)
        buttons.push_back(box.addButton(c, QMessageBox::AcceptRole));
    box.exec();
    return int(buttons.indexOf(box.clickedButton()));
}

} // namespace

QString ProjectOpening::summary(bool *warning) const
{
    *warning = !project->writable();
    const QString items = countedText(qint64(project->size()), QObject::tr("1 item"), QObject::tr("%1 items"));
    if (!project->writable())
        return QObject::tr("%1 · opened READ-ONLY (%2 left out): nothing can be saved to %3")
            .arg(items,
                 countedText(qint64(project->damage().size()), QObject::tr("1 damaged line"), QObject::tr("%1 damaged lines")),
                 QString::fromStdString(project->path()));
    return QObject::tr("%1%2 · annotations are saved to %3 after every change%4")
        .arg(items)
        .arg(invalidLines ? QObject::tr(", %1 skipped")
                                .arg(countedText(qint64(invalidLines), QObject::tr("1 invalid line"), QObject::tr("%1 invalid lines")))
                          : QString())
        .arg(QString::fromStdString(project->path()))
        .arg(note);
}

ProjectOpening openProject(QWidget *parent, const QString &path, const ProjectOpening::Consent &consent,
                           const ProjectOpening::Asker &askCallback)
{
    ProjectOpening out;
    const std::string journal = polar::PreferenceProject::projectPathFor(path.toStdString());
    auto ask = [&](const QString &title, const QString &text, const QStringList &choices) {
        return askCallback ? askCallback(title, text, choices) : askDialog(parent, title, text, choices);
    };
    const QString name = QFileInfo(path).fileName();
    try {
        try {
            runBusy(parent, QObject::tr("Opening %1…").arg(name),
                    [&] { out.project = polar::PreferenceProject::openDatasetOrProject(path.toStdString()); });
        } catch (const polar::DatasetChanged &e) {
            // Nothing was written; offer to carry the annotations over by content.
            if (ask(QObject::tr("The dataset changed"), QString::fromUtf8(e.what()), {QObject::tr("Reattach by content")}) != 0) {
                out.error = QObject::tr("Not opened: the dataset changed since its project was made.");
                return out;
            }
            runBusy(parent, QObject::tr("Carrying the annotations over to the edited %1…").arg(name), [&] {
                const auto report = polar::reattachProject(journal, e.datasetPath(), journal);
                out.note = QObject::tr(" · reattached: %1 (the old journal is kept beside it)").arg(QString::fromStdString(report.describe()));
                out.project = polar::PreferenceProject::open(journal);
            });
        } catch (const polar::ProjectDamaged &e) {
            const int choice = ask(QObject::tr("The project file is damaged"), QString::fromUtf8(e.what()),
                                   {QObject::tr("Open read-only"), QObject::tr("Repair into a new project…")});
            if (choice == 0) {
                runBusy(parent, QObject::tr("Opening %1 read-only…").arg(name),
                        [&] { out.project = polar::PreferenceProject::open(journal, polar::PreferenceProject::Mode::Salvage); });
            } else if (choice == 1) {
                const QString target = QFileDialog::getSaveFileName(parent, QObject::tr("Write the repaired project to"),
                                                                    QString::fromStdString(journal + ".repaired.polar-project.jsonl"));
                if (target.isEmpty())
                    return out;
                runBusy(parent, QObject::tr("Repairing %1…").arg(name), [&] {
                    polar::repairProject(journal, target.toStdString());
                    out.project = polar::PreferenceProject::open(target.toStdString(), polar::PreferenceProject::Mode::ReadOnly);
                });
                out.note = QObject::tr(" · repaired into %1; the damaged file is untouched").arg(target);
            } else {
                out.error = QObject::tr("Not opened: %1 is damaged.").arg(QString::fromStdString(journal));
                return out;
            }
        }
    } catch (const std::exception &e) {
        out.error = QString::fromUtf8(e.what());
        out.project.reset();
        return out;
    }
    const auto &invalid = out.project->dataset().invalid;
    const QString dataset = QString::fromStdString(out.project->dataset().path);
    out.invalidLines = invalid.size();
    if (!invalid.empty() && !(consent ? consent(invalid) : consentDialog(parent, dataset, invalid))) {
        out.error = QObject::tr("Not opened: %1 has %2.")
                        .arg(dataset, countedText(qint64(invalid.size()), QObject::tr("1 invalid line"), QObject::tr("%1 invalid lines")));
        out.project.reset();
    }
    return out;
}
