#pragma once

#include <QDialog>
#include <QList>

class QAction;

// Every action of a window that has a shortcut, with its keys (F1).
class ShortcutsDialog : public QDialog
{
    Q_OBJECT

public:
    // `extra`: keys that are not actions (the dataset window's ranking keys), as (what, keys).
    ShortcutsDialog(const QList<QAction *> &actions, const QList<QPair<QString, QString>> &extra = {}, QWidget *parent = nullptr);
};
