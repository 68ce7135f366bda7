#pragma once

#include <QLabel>
#include <QStringList>

// The strip under a window's toolbar that tells the user what happened: red
// for errors, blue for information. An error stays until it is dismissed:
// a later message is shown above it, never instead of it, so one error never
// hides another. It keeps the last message for tests.
class MessageBar : public QLabel
{
    Q_OBJECT

public:
    explicit MessageBar(QWidget *parent = nullptr);
    void showMessage(const QString &text, bool error);
    // Hides the bar and forgets the errors it held (the user moved on, or clicked Dismiss).
    void dismiss();
    // Drops the errors that begin with `prefix` (a retry of that step worked),
    // keeping every other one on screen.
    void resolve(const QString &prefix);
    QString lastMessage() const { return m_last; }
    QStringList pendingErrors() const { return m_errors; }

private:
    void render(const QString &latest, bool latestIsError);

    QString m_last;
    QStringList m_errors; // newest first
};
