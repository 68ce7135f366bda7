#include "workbench/model_panel.h"
#include "widgets/appearance.h"

#include "engine/controller.h"
#include "widgets/demo_banner.h"

#include "widgets/app_settings.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QThread>

#include "remote/remote_scorer.h"

#include <memory>

namespace {
// The device combo's entry for a remote server (the others hold polar::Device values).
constexpr int kRemoteDevice = -1;
}

ModelPanel::ModelPanel(QWidget *parent) : QWidget(parent)
{
    m_path = new QComboBox;
    m_path->setObjectName("modelPath");
    m_path->setEditable(true);
    m_path->setInsertPolicy(QComboBox::NoInsert);
    m_path->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_path->setMinimumContentsLength(28);
    m_path->lineEdit()->setPlaceholderText(tr("POLAR model directory (config.json, safetensors, tokenizer)"));
    auto *browse = new QPushButton(tr("Browse…"));
    m_load = new QPushButton(tr("Load"));
    m_device = new QComboBox;
    m_device->setObjectName("modelDevice");
    m_device->addItem(tr("Auto"), int(polar::Device::Auto));
    m_device->addItem(tr("CPU"), int(polar::Device::Cpu));
    if (polar::cudaAvailable())
        m_device->addItem(tr("CUDA"), int(polar::Device::Cuda));
    m_device->addItem(tr("Remote server"), kRemoteDevice);
    m_device->setToolTip(tr("Auto: CUDA in bf16 when a GPU is available, else CPU in fp32.\n"
                            "Remote server: a vLLM, SGLang or LMDeploy server runs the model; this directory only\n"
                            "gives its tokenizer and config (attribution and fine-tuning still run here)."));
    m_dtype = new QComboBox;
    m_dtype->addItem(tr("Auto"), int(polar::ComputeDType::Auto));
    m_dtype->addItem("fp32", int(polar::ComputeDType::F32));
    m_dtype->addItem("bf16", int(polar::ComputeDType::BF16));
    m_dtype->addItem("fp16", int(polar::ComputeDType::F16));
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setVisible(false);
    m_info = new QLabel(tr("No model loaded"));
    m_info->setObjectName("modelInfo");
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setWordWrap(true); // a long model name must not widen the window

    m_engineType = new QComboBox;
    m_engineType->setObjectName("serverType");
    for (polar::ServerEngine e : {polar::ServerEngine::Vllm, polar::ServerEngine::Sglang, polar::ServerEngine::Lmdeploy})
        m_engineType->addItem(QString::fromUtf8(polar::engineDisplayName(e)), QString::fromUtf8(polar::engineName(e)));
    m_engineType->setCurrentIndex(std::max(0, m_engineType->findData(AppSettings::remoteEngine.get())));
    m_address = new QLineEdit(AppSettings::remoteAddress.get());
    m_address->setObjectName("serverAddress");
    m_address->setPlaceholderText(tr("http://gpu-box:8000"));
    m_address->setToolTip(tr("Where the server listens: http(s)://host:port[/path], or host:port"));
    m_apiKey = new QLineEdit(qEnvironmentVariable("POLAR_API_KEY"));
    m_apiKey->setObjectName("serverKey");
    m_apiKey->setEchoMode(QLineEdit::Password);
    m_apiKey->setPlaceholderText(tr("API key (optional)"));
    m_apiKey->setToolTip(tr("Sent as \"Authorization: Bearer KEY\"; never saved (set POLAR_API_KEY to fill it in)"));
    m_test = new QPushButton(tr("Test"));
    m_test->setObjectName("serverTest");
    m_testResult = new QLabel;
    m_testResult->setObjectName("serverTestResult");
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_remoteRow = new QWidget;
    auto *remote = new QHBoxLayout(m_remoteRow);
    remote->setContentsMargins(0, 0, 0, 0);
    auto *serverLabel = new QLabel(tr("Server &type"));
    serverLabel->setBuddy(m_engineType);
    remote->addWidget(serverLabel);
    remote->addWidget(m_engineType);
    remote->addWidget(m_address, 3);
    remote->addWidget(m_apiKey, 1);
    remote->addWidget(m_test);
    remote->addWidget(m_testResult, 4);
    m_remoteRow->setVisible(false);

    m_demo = new DemoBanner;
    auto *rows = new QVBoxLayout(this);
    rows->setContentsMargins(4, 2, 4, 2);
    auto *layout = new QHBoxLayout;
    rows->addLayout(layout);
    rows->addWidget(m_remoteRow);
    rows->addWidget(m_demo);
    // Alt+M, Alt+D, Alt+R (and Alt+T in the server row) reach the bar from the keyboard.
    auto labelFor = [](const QString &text, QWidget *buddy) {
        auto *label = new QLabel(text);
        label->setBuddy(buddy);
        return label;
    };
    layout->addWidget(labelFor(tr("&Model"), m_path));
    layout->addWidget(m_path, 3);
    layout->addWidget(browse);
    layout->addWidget(labelFor(tr("&Device"), m_device));
    layout->addWidget(m_device);
    layout->addWidget(labelFor(tr("P&recision"), m_dtype));
    layout->addWidget(m_dtype);
    layout->addWidget(m_load);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addWidget(m_info, 4);

    connect(browse, &QPushButton::clicked, this, &ModelPanel::browse);
    connect(m_load, &QPushButton::clicked, this, &ModelPanel::loadRequested);
    connect(m_cancel, &QPushButton::clicked, this, &ModelPanel::cancelRequested);
    connect(m_path->lineEdit(), &QLineEdit::returnPressed, this, &ModelPanel::loadRequested);
    connect(m_address, &QLineEdit::returnPressed, this, &ModelPanel::loadRequested);
    connect(m_test, &QPushButton::clicked, this, &ModelPanel::testServer);
    connect(m_device, &QComboBox::currentIndexChanged, this, &ModelPanel::showRemoteRow);
    refreshRecent();
}

void ModelPanel::refreshRecent()
{
    const QString current = m_path->currentText();
    m_path->clear();
    m_path->addItems(AppSettings::recentModels.get());
    m_path->setCurrentText(current);
}

void ModelPanel::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a POLAR model directory"), modelDir());
    if (dir.isEmpty())
        return;
    setModelDir(dir);
    Q_EMIT loadRequested();
}

QString ModelPanel::modelDir() const { return m_path->currentText().trimmed(); }
void ModelPanel::setModelDir(const QString &dir) { m_path->setCurrentText(dir); }
polar::Device ModelPanel::device() const
{
    return isRemote() ? polar::Device::Auto : polar::Device(m_device->currentData().toInt());
}

polar::ComputeDType ModelPanel::dtype() const { return polar::ComputeDType(m_dtype->currentData().toInt()); }

bool ModelPanel::isRemote() const { return m_device->currentData().toInt() == kRemoteDevice; }

polar::ServerSpec ModelPanel::serverSpec() const
{
    const QString address = m_address->text().trimmed();
    if (address.isEmpty())
        throw polar::Error(tr("Give the server's address, e.g. http://gpu-box:8000").toStdString());
    polar::ServerSpec spec;
    spec.engine = polar::parseEngine(m_engineType->currentData().toString().toStdString());
    spec.url = polar::parseServerUrl(address.toStdString());
    spec.apiKey = m_apiKey->text().toStdString();
    AppSettings::remoteEngine.set(m_engineType->currentData().toString());
    AppSettings::remoteAddress.set(address);
    return spec;
}

void ModelPanel::showRemoteRow()
{
    const bool remote = isRemote();
    m_remoteRow->setVisible(remote);
    m_dtype->setEnabled(!remote); // the server chose its precision
    m_path->lineEdit()->setPlaceholderText(remote ? tr("The served model's directory (config.json and tokenizer; no weights needed)")
                                                  : tr("POLAR model directory (config.json, safetensors, tokenizer)"));
    if (remote)
        m_address->setFocus();
}

void ModelPanel::testServer()
{
    if (m_testing)
        return;
    const QString dir = modelDir();
    polar::ServerSpec spec;
    try {
        if (dir.isEmpty())
            throw polar::Error(tr("Choose the served model's directory first: its tokenizer encodes the test input.").toStdString());
        spec = serverSpec();
        spec.retries = 0;
        spec.timeoutSeconds = 20;
    } catch (const std::exception &e) {
        m_testResult->setText(Appearance::errorHtml(QString::fromUtf8(e.what())));
        return;
    }
    m_testing = true; // the button stays enabled, so keyboard focus stays on it
    m_testResult->setText(tr("Testing %1…").arg(QString::fromStdString(spec.describe()).toHtmlEscaped()));
    // A server that does not answer must not freeze the window: the test runs on a thread of its own.
    auto outcome = std::make_shared<std::tuple<bool, QString, QString>>(); // answered; summary or error; warning
    QThread *thread = QThread::create([spec, dir, outcome] {
        try {
            const auto model = polar::connectToServer(spec, dir.toStdString());
            const polar::ServerCheck check = polar::testConnection(*model);
            *outcome = {true, QString::fromStdString(check.summary), QString::fromStdString(check.warning)};
        } catch (const std::exception &e) {
            *outcome = {false, QString::fromUtf8(e.what()), QString()};
        }
    });
    connect(thread, &QThread::finished, this, [this, outcome] {
        m_testing = false;
        const auto &[ok, summary, warning] = *outcome;
        m_testResult->setText(!ok ? Appearance::errorHtml(summary)
                              : warning.isEmpty() ? QStringLiteral("✓ %1").arg(summary.toHtmlEscaped())
                                                  : QStringLiteral("✓ %1<br>%2").arg(summary.toHtmlEscaped(), Appearance::warningHtml(warning)));
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater); // even when the panel is gone first
    thread->start();
}

void ModelPanel::setDeviceAndDtype(const QString &device, const QString &dtype)
{
    try {
        const int d = m_device->findData(int(polar::parseDevice(device.toStdString())));
        if (d >= 0)
            m_device->setCurrentIndex(d);
        const int t = m_dtype->findData(int(polar::parseComputeDType(dtype.toStdString())));
        if (t >= 0)
            m_dtype->setCurrentIndex(t);
    } catch (const std::exception &) {
        // An unknown value in a session keeps the current choice.
    }
}

void ModelPanel::showLoading(const QString &dir)
{
    m_info->setText(tr("Loading %1…").arg(QDir(dir).dirName()));
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_load->setEnabled(false);
}

void ModelPanel::showProgress(int doneMiB, int totalMiB)
{
    m_progress->setRange(0, totalMiB);
    m_progress->setValue(doneMiB);
    m_progress->setFormat(tr("%1 of %2 GB").arg(doneMiB / 1024.0, 0, 'f', 1).arg(totalMiB / 1024.0, 0, 'f', 1));
}

void ModelPanel::showLoaded(const polar::ModelInfo &info, bool isDemo)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_load->setEnabled(true);
    const QLocale locale;
    const QString params = info.parameterCount >= 100'000'000
        ? tr("%1 B params").arg(double(info.parameterCount) / 1e9, 0, 'f', 2)
        : tr("%1 params").arg(locale.toString(qlonglong(info.parameterCount)));
    if (!info.remote.empty()) {
        m_info->setText(tr("<b>%1</b> · %2 · served by %3 · attribution needs the weights here")
                            .arg(QString::fromStdString(info.name).toHtmlEscaped(), params,
                                 QString::fromStdString(info.remote).toHtmlEscaped())
                        + (info.remoteWarning.empty() ? QString()
                                                      : QStringLiteral("<br>") + Appearance::warningHtml(QString::fromStdString(info.remoteWarning))));
        m_info->setToolTip(tr("Tokenizer and config from %1").arg(QString::fromStdString(info.directory)));
        m_demo->setVisible(false);
        return;
    }
    m_info->setText(QStringLiteral("<b>%1</b>%2 · %3 · %4 · %5 · %6 MiB")
                        .arg(QString::fromStdString(info.name).toHtmlEscaped(), isDemo ? tr(" (tiny demo)") : QString(),
                             params, QString::fromStdString(info.device), QString::fromStdString(info.dtype))
                        .arg(double(info.weightBytes) / (1024.0 * 1024.0), 0, 'f', 1));
    m_info->setToolTip(QString::fromStdString(info.directory));
    m_demo->setVisible(isDemo);
    if (!isDemo) {
        // The folder as picked: a hub cache folder reopens whatever revision refs/main names then.
        AppSettings::remember(AppSettings::recentModels, QString::fromStdString(info.picked));
        refreshRecent();
    }
}

void ModelPanel::follow(EngineController *engine, std::function<bool(const polar::ModelInfo &)> isDemo)
{
    connect(engine, &EngineController::loadProgress, this, &ModelPanel::showProgress);
    connect(engine, &EngineController::modelLoaded, this, [this, isDemo](const polar::ModelInfo &info) { showLoaded(info, isDemo(info)); });
    connect(engine, &EngineController::modelLoadFailed, this, [this, engine, isDemo](const QString &error) {
        showFailed(error);
        if (engine->hasModel())
            showLoaded(engine->modelInfo(), isDemo(engine->modelInfo()));
    });
}

void ModelPanel::showFailed(const QString &error)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_load->setEnabled(true);
    m_info->setText(Appearance::errorHtml(tr("Model not loaded")));
    m_info->setToolTip(error);
}
