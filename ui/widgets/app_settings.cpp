#include "widgets/app_settings.h"

void AppSettings::remember(const SettingValue<QStringList> &list, const QString &item)
{
    QStringList items = list.get();
    items.removeAll(item);
    items.prepend(item);
    while (items.size() > 10)
        items.removeLast();
    list.set(items);
}
