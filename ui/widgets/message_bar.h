#pragma once

#include <QLabel>

// The strip under a window's toolbar that tells the user what happened: red
// for errors, blue for information. It keeps the last message for tests.
class MessageBar : public QLabel
{
    Q_OBJECT

public:
    explicit MessageBar(QWidget *parent = nullptr);
    void showMessage(const QString &text, bool error);
    QString lastMessage() const { return m_last; }

private:
    QString m_last;
};
