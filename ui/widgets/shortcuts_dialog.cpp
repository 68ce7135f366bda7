#include "widgets/shortcuts_dialog.h"
#include "widgets/window_size.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

QList<QAction *> ShortcutsDialog::shortcutActions(QWidget *window)
{
    QList<QAction *> out;
    for (QAction *a : window->findChildren<QAction *>())
        if (!a->shortcut().isEmpty() && !out.contains(a))
            out << a;
    return out;
}

QStringList ShortcutsDialog::rows() const
{
    QStringList out;
    for (const auto &[what, keys] : m_rows)
        out << what + '\t' + keys;
    return out;
}

ShortcutsDialog::ShortcutsDialog(QWidget *window, const QList<QPair<QString, QString>> &extra) : QDialog(window)
{
    const QList<QAction *> actions = shortcutActions(window);
    setWindowTitle(tr("Keyboard shortcuts"));
    auto *table = new QTableWidget(0, 2, this);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto add = [this, table](const QString &what, const QString &keys) {
        m_rows.append({what, keys});
        const int r = table->rowCount();
        table->insertRow(r);
        table->setItem(r, 0, new QTableWidgetItem(what));
        table->setItem(r, 1, new QTableWidgetItem(keys));
    };
    for (QAction *a : actions) {
        if (a->shortcut().isEmpty())
            continue;
        QStringList keys;
        for (const auto &k : a->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
        add(a->text().remove('&'), keys.join(tr(" or ")));
    }
    for (const auto &[what, keys] : extra)
        add(what, keys);
    table->resizeColumnsToContents();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(table);
    layout->addWidget(buttons);
    sizeToScreen(this, QSize(520, 560));
}
