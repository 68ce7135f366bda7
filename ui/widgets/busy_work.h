#pragma once

#include <QString>

#include <functional>

class QWidget;

// Runs `work` on a worker thread and returns once it has returned, rethrowing
// what it threw. Meanwhile the windows keep painting (input waits until the
// work is done, so nothing can start a second job on the same data), and a
// modal "`label`" indicator shows when the work takes longer than half a
// second. `work` must not touch widgets. For the few steps that read a whole
// file at once (opening a 100,000-item dataset takes seconds on a slow disk).
void runBusy(QWidget *parent, const QString &label, const std::function<void()> &work);
