#include "widgets/busy_work.h"

#include <QEventLoop>
#include <QProgressDialog>
#include <QThread>

#include <exception>
#include <memory>

void runBusy(QWidget *parent, const QString &label, const std::function<void()> &work)
{
    std::exception_ptr failure;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        try {
            work();
        } catch (...) {
            failure = std::current_exception();
        }
    }));
    QEventLoop loop;
    QObject::connect(thread.get(), &QThread::finished, &loop, &QEventLoop::quit);
    QProgressDialog indicator(label, QString(), 0, 0, parent);
    indicator.setWindowModality(Qt::ApplicationModal);
    indicator.setMinimumDuration(500);
    indicator.setCancelButton(nullptr);
    thread->start();
    if (!thread->isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    thread->wait(); // finished was emitted from the thread: make sure it has returned
    if (failure)
        std::rethrow_exception(failure);
}
