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
    return tr("<b>Demo model.</b> A tiny reward model that ships inside the app, trained on synthetic tasks "
              "(counting letters, arithmetic, capital cities, yes/no questions about numbers); it knows nothing else and "
              "its rewards are not what a POLAR model would say. "
              "Open a POLAR model (Ctrl+L in the workbench) for real rewards.");
}
