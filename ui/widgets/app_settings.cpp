#include "widgets/app_settings.h"

#include <QSplitter>
#include <QTabWidget>

#include <QFileInfo>
#include <QMenu>

void AppSettings::rememberSplitter(QSplitter *splitter, const QString &key)
{
    const QString k = QStringLiteral("panes/") + key;
    splitter->restoreState(QSettings().value(k).toByteArray());
    QObject::connect(splitter, &QSplitter::splitterMoved, splitter, [splitter, k] { QSettings().setValue(k, splitter->saveState()); });
}

void AppSettings::rememberTab(QTabWidget *tabs, const QString &key)
{
    const QString k = QStringLiteral("panes/") + key;
    const int saved = QSettings().value(k, -1).toInt();
    if (saved >= 0 && saved < tabs->count())
        tabs->setCurrentIndex(saved);
    QObject::connect(tabs, &QTabWidget::currentChanged, tabs, [k](int index) { QSettings().setValue(k, index); });
}

void AppSettings::remember(const SettingValue<QStringList> &list, const QString &item)
{
    QStringList items = list.get();
    items.removeAll(item);
    items.prepend(item);
    while (items.size() > 10)
        items.removeLast();
    list.set(items);
}

void AppSettings::followRecent(QMenu *menu, QObject *context, std::function<void(const QString &)> openSession,
                               std::function<void(const QString &)> openModel)
{
    QObject::connect(menu, &QMenu::aboutToShow, context, [menu, context, openSession, openModel] {
        menu->clear();
        for (const QString &path : recentSessions.get())
            menu->addAction(QFileInfo(path).fileName() + "  —  " + path, context, [openSession, path] { openSession(path); });
        menu->addSeparator();
        for (const QString &dir : recentModels.get())
            menu->addAction(QObject::tr("Model: %1").arg(dir), context, [openModel, dir] { openModel(dir); });
        if (menu->actions().size() == 1)
            menu->addAction(QObject::tr("(nothing yet)"))->setEnabled(false);
    });
}
