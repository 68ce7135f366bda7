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
    m_device->addItem(tr("Auto"), int(polar::Device::Auto));
    m_device->addItem(tr("CPU"), int(polar::Device::Cpu));
    if (polar::cudaAvailable())
        m_device->addItem(tr("CUDA"), int(polar::Device::Cuda));
    m_device->setToolTip(tr("Auto: CUDA in bf16 when a GPU is available, else CPU in fp32"));
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
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setWordWrap(true); // a long model name must not widen the window

    m_demo = new DemoBanner;
    auto *rows = new QVBoxLayout(this);
    rows->setContentsMargins(4, 2, 4, 2);
    auto *layout = new QHBoxLayout;
    rows->addLayout(layout);
    rows->addWidget(m_demo);
    layout->addWidget(new QLabel(tr("Model")));
    layout->addWidget(m_path, 3);
    layout->addWidget(browse);
    layout->addWidget(new QLabel(tr("Device")));
    layout->addWidget(m_device);
    layout->addWidget(new QLabel(tr("Precision")));
    layout->addWidget(m_dtype);
    layout->addWidget(m_load);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addWidget(m_info, 4);

    connect(browse, &QPushButton::clicked, this, &ModelPanel::browse);
    connect(m_load, &QPushButton::clicked, this, &ModelPanel::loadRequested);
    connect(m_cancel, &QPushButton::clicked, this, &ModelPanel::cancelRequested);
    connect(m_path->lineEdit(), &QLineEdit::returnPressed, this, &ModelPanel::loadRequested);
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
polar::Device ModelPanel::device() const { return polar::Device(m_device->currentData().toInt()); }
polar::ComputeDType ModelPanel::dtype() const { return polar::ComputeDType(m_dtype->currentData().toInt()); }

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
    m_info->setText(QStringLiteral("<b>%1</b>%2 · %3 · %4 · %5 · %6 MiB")
                        .arg(QString::fromStdString(info.name).toHtmlEscaped(), isDemo ? tr(" (tiny demo)") : QString(),
                             params, QString::fromStdString(info.device), QString::fromStdString(info.dtype))
                        .arg(double(info.weightBytes) / (1024.0 * 1024.0), 0, 'f', 1));
    m_info->setToolTip(QString::fromStdString(info.directory));
    m_demo->setVisible(isDemo);
    if (!isDemo) {
        AppSettings::remember(AppSettings::recentModels, QString::fromStdString(info.directory));
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
