#pragma once

#include <QWidget>

class AnnotationModel;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTextBrowser;

// The item being annotated: its prompt and reference, its candidates in the
// ranking's order, and the per-item tools (none acceptable, write or edit an
// answer, note). It renders; the window decides what the edits mean.
class ItemPane : public QWidget
{
    Q_OBJECT

public:
    explicit ItemPane(AnnotationModel *model, QWidget *parent = nullptr);
    QTextBrowser *text() const { return m_text; }
    QTableView *candidates() const { return m_candidates; }
    QCheckBox *noneAcceptable() const { return m_noneAcceptable; }
    QLineEdit *note() const { return m_note; }
    QLabel *saved() const { return m_saved; }

Q_SIGNALS:
    void writeRequested();
    void editRequested();

private:
    QTextBrowser *m_text;
    QTableView *m_candidates;
    QCheckBox *m_noneAcceptable;
    QLineEdit *m_note;
    QLabel *m_saved;
};
