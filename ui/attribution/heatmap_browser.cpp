#include "attribution/heatmap_browser.h"
#include "widgets/appearance.h"

#include "attribution/models.h"

#include <QHelpEvent>
#include <QTextCursor>
#include <QToolTip>

HeatmapBrowser::HeatmapBrowser(QWidget *parent) : QTextBrowser(parent)
{
    setMouseTracking(true);
    setOpenLinks(false);
}

void HeatmapBrowser::render(const std::string &text, size_t segmentBegin, size_t segmentEnd,
                            const std::vector<polar::AttributionSpan> &spans, double scaleMax)
{
    clear();
    setExtraSelections({});
    m_placed.clear();
    QTextCursor cursor(document());
    QTextCharFormat plain;
    size_t at = segmentBegin;
    auto insertPlain = [&](size_t to) {
        if (to > at)
            cursor.insertText(QString::fromUtf8(text.data() + at, int(to - at)), plain);
        at = std::max(at, to);
    };
    for (const auto &s : spans) {
        if (s.begin < segmentBegin || s.end > segmentEnd || s.begin < at)
            continue;
        insertPlain(s.begin);
        QTextCharFormat f;
        f.setBackground(contributionColor(s.value, scaleMax));
        // Either colour is fixed: the background does not follow the theme.
        f.setForeground(std::abs(s.value) > 0.6 * scaleMax ? QColor(Qt::white) : Appearance::textOnPastel());
        const int from = cursor.position();
        cursor.insertText(QString::fromUtf8(text.data() + s.begin, int(s.end - s.begin)), f);
        m_placed.push_back({from, cursor.position(), s.value, s.firstToken, s.lastToken, QString::fromStdString(s.text)});
        at = s.end;
    }
    insertPlain(segmentEnd);
}

bool HeatmapBrowser::highlightToken(size_t tokenIndex)
{
    for (const auto &p : m_placed) {
        if (tokenIndex < p.firstToken || tokenIndex > p.lastToken)
            continue;
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(document());
        mark.cursor.setPosition(p.from);
        mark.cursor.setPosition(p.to, QTextCursor::KeepAnchor);
        mark.format.setForeground(palette().color(QPalette::Active, QPalette::HighlightedText));
        mark.format.setBackground(palette().color(QPalette::Active, QPalette::Highlight));
        mark.format.setFontWeight(QFont::Bold);
        setExtraSelections({mark});
        QTextCursor at(document());
        at.setPosition(p.from);
        setTextCursor(at);
        ensureCursorVisible();
        return true;
    }
    setExtraSelections({});
    return false;
}

QString HeatmapBrowser::highlightedText() const
{
    const auto marks = extraSelections();
    return marks.isEmpty() ? QString() : marks.front().cursor.selectedText();
}

QColor HeatmapBrowser::colorAt(int position) const
{
    QTextCursor c(document());
    c.setPosition(position + 1);
    return c.charFormat().background().color();
}

bool HeatmapBrowser::viewportEvent(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(e);
        const int pos = cursorForPosition(help->pos()).position();
        for (const auto &p : m_placed)
            if (pos >= p.from && pos < p.to) {
                QToolTip::showText(help->globalPos(), tr("%1\ncontribution %2").arg(p.text).arg(p.value, 0, 'f', 4), this);
                return true;
            }
        QToolTip::hideText();
        return true;
    }
    return QTextBrowser::viewportEvent(e);
}
