#include "widgets/demo_banner.h"

DemoBanner::DemoBanner(QWidget *parent) : QLabel(parent)
{
    setText(text());
    setWordWrap(true);
    setObjectName("demoBanner");
    // Readable on light and dark palettes: a strong amber frame, the palette's own text colour.
    setStyleSheet("QLabel#demoBanner { border: 2px solid #d08a00; border-radius: 4px; padding: 4px 8px; }");
    setVisible(false);
}

QString DemoBanner::text()
{
    return tr("<b>Demo model.</b> A tiny model that ships inside the app: its rewards show how a reference-based reward "
              "model behaves on a few synthetic tasks, not what a POLAR model would say. "
              "Open a POLAR model (Ctrl+L in the workbench) for real rewards.");
}
