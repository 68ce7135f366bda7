#pragma once

#include "attribution/attribution.h"

#include <QTextBrowser>

// Text with each span's background on the diverging contribution scale; the
// exact value shows on hover.
class HeatmapBrowser : public QTextBrowser
{
    Q_OBJECT

public:
    explicit HeatmapBrowser(QWidget *parent = nullptr);
    // Renders the spans of `segment` from `text` (PolarInput::text), in order,
    // with the plain text between them uncoloured.
    void render(const std::string &text, size_t segmentBegin, size_t segmentEnd,
                const std::vector<polar::AttributionSpan> &spans, double scaleMax);
    // Marks the span holding this token in a way that shows without focus
    // (an extra selection, not the cursor's) and scrolls to it; false when no
    // span holds it.
    bool highlightToken(size_t tokenIndex);
    QString highlightedText() const;
    // Background colour at a character of the document (for tests).
    QColor colorAt(int position) const;
    int spanCount() const { return int(m_placed.size()); }

protected:
    bool viewportEvent(QEvent *e) override;

private:
    struct Placed
    {
        int from, to; // document positions
        double value;
        size_t firstToken, lastToken;
        QString text;
    };
    std::vector<Placed> m_placed;
};
