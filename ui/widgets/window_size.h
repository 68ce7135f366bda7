#pragma once

#include <QByteArray>
#include <QSize>

class QWidget;

// Top-level windows open at `preferred` logical pixels, shrunk to fit the
// screen they are on (at most 92% of its available area: 1280x720 and a
// QT_SCALE_FACTOR of 1.5 included); then at the geometry saved last
// time, when there is one and it still fits that screen.
void sizeToScreen(QWidget *window, QSize preferred, const QByteArray &savedGeometry = {});
