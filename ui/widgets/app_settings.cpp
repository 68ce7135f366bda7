#include "widgets/app_settings.h"

#include <QFileInfo>
#include <QMenu>

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
