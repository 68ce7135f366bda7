#pragma once

#include "model/compute_options.h"
#include "model/reward_model.h"

#include <QWidget>

#include <functional>

class EngineController;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

// Choose a model directory, device and dtype; shows loading and what loaded.
class ModelPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ModelPanel(QWidget *parent = nullptr);

    QString modelDir() const;
    void setModelDir(const QString &dir);
    polar::Device device() const;
    polar::ComputeDType dtype() const;
    void setDeviceAndDtype(const QString &device, const QString &dtype);

    void showLoading(const QString &dir);
    void showProgress(int doneMiB, int totalMiB);
    void showLoaded(const polar::ModelInfo &info, bool isDemo);
    void showFailed(const QString &error);
    // Shows the engine's loading, progress, result and failure (keeping the
    // model that stays loaded when a new one fails). `isDemo` tells the demo model.
    void follow(EngineController *engine, std::function<bool(const polar::ModelInfo &)> isDemo);

Q_SIGNALS:
    void loadRequested();
    void cancelRequested();

public Q_SLOTS:
    void browse();

private:
    void refreshRecent();

    QComboBox *m_path;
    QComboBox *m_device;
    QComboBox *m_dtype;
    QPushButton *m_load;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_info;
    QLabel *m_demo;
};
