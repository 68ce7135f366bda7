#include "widgets/window_size.h"

#include <QGuiApplication>
#include <QScreen>
#include <QWidget>

void sizeToScreen(QWidget *window, QSize preferred, const QByteArray &savedGeometry)
{
    QScreen *screen = window->screen() ? window->screen() : QGuiApplication::primaryScreen();
    if (!screen) {
        window->resize(preferred);
        return;
    }
    const QRect available = screen->availableGeometry();
    const QSize fit = preferred.boundedTo(QSize(available.width() * 92 / 100, available.height() * 92 / 100));
    // Only the size: placing a window that is not shown yet is the window
    // manager's job (moving a dialog before it is mapped left it unpainted
    // under openbox).
    window->resize(fit.expandedTo(window->minimumSizeHint().boundedTo(available.size())));
    if (savedGeometry.isEmpty() || !window->restoreGeometry(savedGeometry))
        return;
    // A geometry saved on a bigger screen (or another monitor) is shrunk back in.
    if (!available.contains(window->frameGeometry())) {
        window->resize(window->size().boundedTo(fit));
        window->move(available.topLeft());
    }
}
