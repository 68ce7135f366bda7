#include "workbench/text_field_editor.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

bool PlainEditor::event(QEvent *e)
{
    if (e->type() == QEvent::ShortcutOverride) {
        auto *ke = static_cast<QKeyEvent *>(e);
        if (ke->matches(QKeySequence::Undo) || ke->matches(QKeySequence::Redo)) {
            e->ignore(); // let the window's Undo/Redo actions take the chord
            return false;
        }
        // Word deletion is the editor's, not the window's: Ctrl+Delete would
        // otherwise delete the whole candidate (its action's shortcut).
        if (ke->matches(QKeySequence::DeleteEndOfWord) || ke->matches(QKeySequence::DeleteStartOfWord)) {
            e->accept();
            return true;
        }
    }
    return QPlainTextEdit::event(e);
}

TextFieldEditor::TextFieldEditor(const QString &title, const QString &defaultRole, QWidget *parent)
    : QWidget(parent), m_defaultRole(defaultRole)
{
    m_title = new QLabel(title);
    QFont f = m_title->font();
    f.setBold(true);
    m_title->setFont(f);
    m_messages = new QCheckBox(tr("Messages"));
    m_messages->setToolTip(tr("Edit as a list of chat turns (role + content); POLAR joins the contents with a newline"));

    m_text = new PlainEditor;
    m_text->setUndoRedoEnabled(false);
    m_text->setTabChangesFocus(true);
    m_table = new QTableWidget(0, 2);
    m_table->setHorizontalHeaderLabels({tr("Role"), tr("Content")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->setWordWrap(true);
    auto *addTurn = new QPushButton(tr("Add turn"));
    auto *removeTurn = new QPushButton(tr("Remove turn"));
    auto *tablePage = new QWidget;
    auto *tableLayout = new QVBoxLayout(tablePage);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_table);
    auto *turnButtons = new QHBoxLayout;
    turnButtons->addWidget(addTurn);
    turnButtons->addWidget(removeTurn);
    turnButtons->addStretch();
    tableLayout->addLayout(turnButtons);

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_text);
    m_stack->addWidget(tablePage);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addStretch();
    header->addWidget(m_messages);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addLayout(header);
    layout->addWidget(m_stack);

    connect(m_text, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_updating)
            commit(polar::TextField::fromString(m_text->toPlainText().toStdString()));
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_updating)
            commit(tableValue());
    });
    connect(m_messages, &QCheckBox::toggled, this, [this](bool on) {
        if (m_updating)
            return;
        // Switching form keeps the flattened text: one turn, or the turns joined.
        if (on)
            commit(polar::TextField::fromMessages({{m_defaultRole.toStdString(), m_value.flattened()}}));
        else
            commit(polar::TextField::fromString(m_value.flattened()));
        showValue();
    });
    connect(addTurn, &QPushButton::clicked, this, [this] {
        auto msgs = m_value.messages;
        msgs.push_back({msgs.empty() || msgs.back().role == "assistant" ? "user" : "assistant", ""});
        commit(polar::TextField::fromMessages(msgs));
        showValue();
    });
    connect(removeTurn, &QPushButton::clicked, this, [this] {
        auto msgs = m_value.messages;
        const int row = m_table->currentRow() >= 0 ? m_table->currentRow() : int(msgs.size()) - 1;
        if (row < 0 || row >= int(msgs.size()))
            return;
        msgs.erase(msgs.begin() + row);
        commit(polar::TextField::fromMessages(msgs));
        showValue();
    });
}

void TextFieldEditor::setTitle(const QString &title)
{
    m_title->setText(title);
}

void TextFieldEditor::setPlaceholder(const QString &text)
{
    m_text->setPlaceholderText(text);
}

void TextFieldEditor::commit(const polar::TextField &after)
{
    if (after == m_value)
        return;
    const polar::TextField before = m_value;
    m_value = after;
    Q_EMIT edited(before, after);
}

polar::TextField TextFieldEditor::tableValue() const
{
    std::vector<polar::Message> msgs;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        auto *role = m_table->item(r, 0);
        auto *content = m_table->item(r, 1);
        msgs.push_back({role ? role->text().toStdString() : "", content ? content->text().toStdString() : ""});
    }
    return polar::TextField::fromMessages(msgs);
}

void TextFieldEditor::setValue(const polar::TextField &value)
{
    if (value == m_value && m_messages->isChecked() == value.isMessages)
        return;
    m_value = value;
    showValue();
}

void TextFieldEditor::showValue()
{
    m_updating = true;
    m_messages->setChecked(m_value.isMessages);
    m_stack->setCurrentIndex(m_value.isMessages ? 1 : 0);
    if (m_value.isMessages) {
        m_table->setRowCount(int(m_value.messages.size()));
        for (int r = 0; r < int(m_value.messages.size()); ++r) {
            m_table->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(m_value.messages[size_t(r)].role)));
            m_table->setItem(r, 1, new QTableWidgetItem(QString::fromStdString(m_value.messages[size_t(r)].content)));
        }
        m_table->resizeRowsToContents();
    } else {
        const QString text = QString::fromStdString(m_value.text);
        if (m_text->toPlainText() != text) {
            // Keep the cursor where it was, as far as the new text allows.
            const int pos = m_text->textCursor().position();
            m_text->setPlainText(text);
            QTextCursor c = m_text->textCursor();
            c.setPosition(std::min(pos, int(text.size())));
            m_text->setTextCursor(c);
        }
    }
    m_updating = false;
}
