#include "widgets/message_bar.h"

MessageBar::MessageBar(QWidget *parent) : QLabel(parent)
{
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setVisible(false);
}

void MessageBar::showMessage(const QString &text, bool error)
{
    m_last = text;
    setStyleSheet(error ? "QLabel { background:#fbe3e3; color:#7a1b1b; padding:6px; border-radius:4px; }"
                        : "QLabel { background:#e6f0fb; color:#1d3d63; padding:6px; border-radius:4px; }");
    setText(text);
    setVisible(true);
}
