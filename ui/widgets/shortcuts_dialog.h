#pragma once

#include <QDialog>
#include <QList>

class QAction;

// Every action of a window that has a shortcut, with its keys (F1): the
// menus', the toolbars' and those of the panes inside it.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT

public:
    // `extra`: keys that are not actions (the dataset window's ranking keys), as (what, keys).
    explicit ShortcutsDialog(QWidget *window, const QList<QPair<QString, QString>> &extra = {});
    // The actions with a shortcut that `window` holds, each once, menus first.
    static QList<QAction *> shortcutActions(QWidget *window);
    QStringList rows() const; // "what<TAB>keys", for tests

private:
    QList<QPair<QString, QString>> m_rows;
};
