#pragma once

#include <QString>

#include <functional>

class QWidget;

// Runs `work` on a worker thread and returns once it has returned, rethrowing
// what it threw. Meanwhile the windows keep painting (input waits until the
// work is done, so nothing can start a second job on the same data), and a
// modal "`label`" indicator shows when the work takes longer than half a
// second. `work` must not touch widgets, nor data the GUI thread may change
// meanwhile (hand it a snapshot). For the few steps that read or write a whole
// file at once (opening or exporting a 100,000-item dataset takes seconds).
void runBusy(QWidget *parent, const QString &label, const std::function<void()> &work);
