#pragma once

#include "model/compute_options.h"
#include "model/reward_model.h"
#include "remote/server_spec.h"

#include <QWidget>

#include <functional>

class EngineController;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

// Choose a model directory, device and dtype, or a remote server (vLLM,
// SGLang, LMDeploy: type, address, key, Test) that serves the model whose
// directory gives the tokenizer; shows loading and what loaded.
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
    // "Remote server" is chosen as the device.
    bool isRemote() const;
    // The server the remote row describes (remembered for next time, but never
    // its key); throws polar::Error naming what is wrong.
    polar::ServerSpec serverSpec() const;

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
    // Connects with the remote row's settings off the GUI thread and scores one input.
    void testServer();

private:
    void refreshRecent();
    void showRemoteRow();

    QComboBox *m_path;
    QComboBox *m_device;
    QComboBox *m_dtype;
    QPushButton *m_load;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_info;
    QLabel *m_demo;
    QWidget *m_remoteRow;
    QComboBox *m_engineType;
    QLineEdit *m_address;
    QLineEdit *m_apiKey;
    QPushButton *m_test;
    QLabel *m_testResult;
    bool m_testing = false;
};
