#include "widgets/message_bar.h"
#include "widgets/counted_text.h"

#include <algorithm>

namespace {
constexpr int kShownErrors = 3;
}

MessageBar::MessageBar(QWidget *parent) : QLabel(parent)
{
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    setTextFormat(Qt::RichText);
    setVisible(false);
    connect(this, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("dismiss"))
            dismiss();
    });
}

void MessageBar::showMessage(const QString &text, bool error)
{
    m_last = text;
    if (error) {
        m_errors.removeAll(text); // the same error again moves to the top, not twice
        m_errors.prepend(text);
    }
    render(text, error);
}

void MessageBar::dismiss()
{
    m_errors.clear();
    setVisible(false);
}

void MessageBar::resolve(const QString &prefix)
{
    const auto before = m_errors.size();
    m_errors.erase(std::remove_if(m_errors.begin(), m_errors.end(), [&](const QString &e) { return e.startsWith(prefix); }),
                   m_errors.end());
    if (m_errors.isEmpty())
        setVisible(false);
    else if (m_errors.size() != before)
        render(m_errors.front(), true);
}

void MessageBar::render(const QString &latest, bool latestIsError)
{
    const bool anyError = !m_errors.isEmpty();
    setStyleSheet(anyError ? "QLabel { background:#fbe3e3; color:#7a1b1b; padding:6px; border-radius:4px; }"
                           : "QLabel { background:#e6f0fb; color:#1d3d63; padding:6px; border-radius:4px; }");
    QStringList lines;
    if (!latestIsError)
        lines << latest.toHtmlEscaped();
    for (int i = 0; i < m_errors.size() && i < kShownErrors; ++i)
        lines << (i == 0 && latestIsError ? QString() : tr("Earlier: ")) + m_errors[i].toHtmlEscaped();
    if (m_errors.size() > kShownErrors)
        lines << countedText(m_errors.size() - kShownErrors, tr("…and 1 earlier problem."), tr("…and %1 earlier problems."));
    QString html = lines.join(QStringLiteral("<br>"));
    if (anyError)
        html += QStringLiteral(" &nbsp;<a href='dismiss' style='color:#7a1b1b'>%1</a>").arg(tr("Dismiss"));
    setText(html);
    setVisible(true);
}
