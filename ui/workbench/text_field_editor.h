#pragma once

#include "scoring/text_field.h"

#include <QPlainTextEdit>
#include <QWidget>

class QCheckBox;
class QLabel;
class QStackedWidget;
class QTableWidget;

// A QPlainTextEdit that leaves Undo/Redo to the window's QUndoStack.
class PlainEditor : public QPlainTextEdit
{
    Q_OBJECT

public:
    using QPlainTextEdit::QPlainTextEdit;

protected:
    bool event(QEvent *e) override;
};

// Edits a prompt, reference or candidate: plain text, or a list of
// (role, content) turns. Reports each edit as (before, after) for undo.
class TextFieldEditor : public QWidget
{
    Q_OBJECT

public:
    TextFieldEditor(const QString &title, const QString &defaultRole, QWidget *parent = nullptr);

    polar::TextField value() const { return m_value; }
    // Shows `value` without reporting an edit.
    void setValue(const polar::TextField &value);
    void setPlaceholder(const QString &text);
    PlainEditor *textEdit() const { return m_text; }
    void setTitle(const QString &title);

Q_SIGNALS:
    void edited(const polar::TextField &before, const polar::TextField &after);

private:
    void commit(const polar::TextField &after);
    void showValue();
    polar::TextField tableValue() const;

    QString m_defaultRole;
    polar::TextField m_value;
    bool m_updating = false;
    QLabel *m_title;
    QCheckBox *m_messages;
    QStackedWidget *m_stack;
    PlainEditor *m_text;
    QTableWidget *m_table;
};
