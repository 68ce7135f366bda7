#include "training/fine_tune_dialog.h"
#include "widgets/appearance.h"

#include "training/fine_tune_runner.h"
#include "training/training_chart.h"
#include "util/files.h"
#include "widgets/counted_text.h"
#include "widgets/window_size.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QShowEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

QSpinBox *spin(int lo, int hi, int value, const QString &tip)
{
    auto *s = new QSpinBox;
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}

QString percent(double x)
{
    return QStringLiteral("%1%").arg(100 * x, 0, 'f', 1);
}

} // namespace

FineTuneDialog::FineTuneDialog(Setup setup, QWidget *parent)
    : QDialog(parent), m_setup(std::move(setup)), m_runner(new FineTuneRunner(this))
{
    setWindowTitle(tr("Fine-tune %1 on this project's rankings").arg(m_setup.baseModelName));
    const polar::TrainOptions d;
    m_output = new QLineEdit(m_setup.suggestedOutput);
    auto *browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Write the fine-tuned model into"), m_output->text());
        if (!dir.isEmpty())
            m_output->setText(dir);
    });
    auto *outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(browse);

    // xtuner's POLAR defaults suit a real POLAR model; the tiny demo model
    // needs a far larger step to move within a few epochs.
    m_epochs = spin(1, 1000, m_setup.demoModel ? 3 : d.epochs, tr("Passes over the training pairs"));
    m_lr = new QDoubleSpinBox;
    m_lr->setDecimals(6);
    m_lr->setRange(1e-6, 1e-1);
    m_lr->setSingleStep(1e-5);
    m_lr->setValue(m_setup.demoModel ? 1e-3 : d.learningRate);
    m_lr->setToolTip(tr("Peak learning rate (AdamW, warm-up then cosine to 10%). xtuner's POLAR configs use 2e-5."));
    m_batchTokens = spin(64, 1 << 24, int(d.batchTokens), tr("Tokens (chosen and rejected) per optimizer step"));
    m_maxLength = spin(8, 1 << 20, d.maxLength, tr("Longest input; the prompt is cut from the front (xtuner's tokenize_ref)"));
    m_maxResponse = spin(1, 1 << 20, d.maxResponseLength, tr("Responses are cut to this many tokens, keeping their start"));
    m_freeze = spin(-1, 1000, d.freezeLayers, tr("-1 trains everything; K freezes the embeddings and the first K layers"));
    m_freeze->setSpecialValueText(tr("none (train all)"));
    m_valFraction = new QDoubleSpinBox;
    m_valFraction->setRange(0, 0.9);
    m_valFraction->setSingleStep(0.05);
    m_valFraction->setValue(d.validationFraction);
    m_valFraction->setToolTip(tr("Share of prompts held out for validation (by prompt, never by pair)"));
    m_seed = spin(0, 1 << 30, int(d.seed), tr("Makes the split, the order and the result repeatable"));
    m_evalEvery = spin(0, 1 << 20, 10, tr("Optimizer steps between validations (0: at the end only)"));
    m_resume = new QCheckBox(tr("Resume from the checkpoint in this folder"));
    auto updateResume = [this] {
        const bool has = QFileInfo::exists(m_output->text() + "/training/state/state.json");
        m_resume->setEnabled(has);
        m_resume->setChecked(has);
    };
    connect(m_output, &QLineEdit::textChanged, this, updateResume);
    updateResume();

    auto *form = new QFormLayout;
    form->addRow(tr("Output folder"), outputRow);
    form->addRow(QString(), m_resume);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Batch tokens"), m_batchTokens);
    form->addRow(tr("Max length"), m_maxLength);
    form->addRow(tr("Max response length"), m_maxResponse);
    form->addRow(tr("Freeze layers"), m_freeze);
    form->addRow(tr("Validation fraction"), m_valFraction);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Validate every"), m_evalEvery);
    m_trainingData = new QLabel;
    m_trainingData->setObjectName("trainingData");
    m_trainingData->setWordWrap(true);
    m_trainingData->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Learns from"), m_trainingData);

    m_status = new QLabel(tr("Base model: %1").arg(m_setup.baseModel));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chart = new TrainingChart;
    m_chart->setMinimumHeight(240); // the before/after table must not squeeze its axes unreadable
    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_comparison = new QTableWidget(0, 3);
    m_comparison->setHorizontalHeaderLabels({tr("Measure"), tr("Before"), tr("After")});
    m_comparison->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_comparison->verticalHeader()->hide();
    m_comparison->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_comparison->setVisible(false);

    // Names for tests that drive the dialog as a user does.
    m_output->setObjectName("output");
    m_epochs->setObjectName("epochs");
    m_lr->setObjectName("learningRate");
    m_batchTokens->setObjectName("batchTokens");
    m_maxLength->setObjectName("maxLength");
    m_valFraction->setObjectName("validationFraction");
    m_start = new QPushButton(tr("&Start"));
    m_start->setObjectName("start");
    m_cancel = new QPushButton(tr("&Cancel training"));
    m_close = new QPushButton(tr("Close"));
    auto *buttons = new QDialogButtonBox;
    buttons->addButton(m_start, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancel, QDialogButtonBox::ActionRole);
    buttons->addButton(m_close, QDialogButtonBox::RejectRole);
    connect(m_start, &QPushButton::clicked, this, &FineTuneDialog::start);
    connect(m_cancel, &QPushButton::clicked, m_runner, &FineTuneRunner::cancel);
    connect(m_close, &QPushButton::clicked, this, &FineTuneDialog::reject);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(form);
    leftLayout->addStretch(1);
    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(m_chart);
    right->addWidget(m_comparison);
    right->addWidget(m_log);
    right->setStretchFactor(0, 3);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_runner, &FineTuneRunner::progress, this, &FineTuneDialog::onProgress);
    connect(m_runner, &FineTuneRunner::logLine, this, [this](const QString &line) { m_log->appendPlainText(line); });
    connect(m_runner, &FineTuneRunner::finished, this, &FineTuneDialog::onFinished);
    connect(m_runner, &FineTuneRunner::cancelled, this, [this](const QString &dir) {
        setRunning(false);
        m_status->setText(tr("Stopped. The checkpoint is in %1/training/state: Start again with “Resume” to continue.").arg(dir));
        m_resume->setEnabled(true);
        m_resume->setChecked(true);
        if (m_closeWhenStopped)
            QDialog::reject();
    });
    connect(m_runner, &FineTuneRunner::failed, this, [this](const QString &error) {
        setRunning(false);
        m_status->setText(tr("<span style='color:%2'>Fine-tuning failed:</span> %1")
                              .arg(error.toHtmlEscaped(), Appearance::tone(Appearance::Tone::Bad).name()));
        m_log->appendPlainText(error);
        if (m_closeWhenStopped)
            QDialog::reject();
    });
    setRunning(false);
    sizeToScreen(this, QSize(1100, 680));
}

polar::TrainOptions FineTuneDialog::options() const
{
    polar::TrainOptions o;
    o.epochs = m_epochs->value();
    o.learningRate = m_lr->value();
    o.batchTokens = m_batchTokens->value();
    o.microBatchTokens = std::min<int64_t>(o.microBatchTokens, o.batchTokens);
    o.maxLength = m_maxLength->value();
    o.maxResponseLength = m_maxResponse->value();
    o.freezeLayers = m_freeze->value();
    o.validationFraction = m_valFraction->value();
    o.seed = uint64_t(m_seed->value());
    o.evalEvery = m_evalEvery->value();
    o.resume = m_resume->isChecked();
    o.device = m_setup.device;
    return o;
}

void FineTuneDialog::countPairs()
{
    if (running() || !m_setup.snapshot)
        return;
    polar::ExportSummary summary;
    const size_t pairs = polar::rankingPairs(m_setup.snapshot(), summary).size();
    QString text = QString::fromStdString(summary.describe()).toHtmlEscaped().replace('\n', QStringLiteral("<br>"));
    if (!pairs)
        text = tr("<b>No pairs yet: rank some items first.</b> ") + text;
    m_trainingData->setText(text);
    m_start->setEnabled(pairs > 0);
}

QString FineTuneDialog::trainingData() const
{
    return m_trainingData->text();
}

void FineTuneDialog::showEvent(QShowEvent *event)
{
    countPairs();
    QDialog::showEvent(event);
}

void FineTuneDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange && isActiveWindow())
        countPairs();
    QDialog::changeEvent(event);
}

bool FineTuneDialog::running() const
{
    return m_runner->running();
}

void FineTuneDialog::start()
{
    const QString out = QDir::cleanPath(m_output->text().trimmed());
    if (out.isEmpty()) {
        m_status->setText(tr("Choose an output folder first."));
        return;
    }
    if (polar::sameFile(out.toStdString(), m_setup.baseModel.toStdString())) {
        m_status->setText(tr("%1 is the base model's folder: choose another output folder.").arg(out));
        return;
    }
    polar::TrainOptions o = options();
    try {
        o.validate();
    } catch (const std::exception &e) {
        m_status->setText(QString::fromStdString(e.what()));
        return;
    }
    FineTuneRunner::Job job;
    job.baseModel = m_setup.baseModel;
    job.datasetPath = m_setup.datasetPath;
    job.outputDir = out;
    job.items = m_setup.snapshot();
    job.options = o;
    job.scoring = m_setup.scoring;
    m_chart->clear(1);
    m_firstStep = -1;
    m_log->clear();
    m_comparison->setVisible(false);
    m_status->setText(tr("Starting…"));
    setRunning(true);
    m_runner->start(std::move(job));
}

void FineTuneDialog::onProgress(const polar::TrainProgress &p)
{
    m_chart->setTotalSteps(p.totalSteps);
    m_chart->addLoss(p.step, p.loss);
    if (p.validation)
        m_chart->addAccuracy(p.step, p.validation->accuracy);
    // The ETA counts from the first step this run took (a resumed run starts later).
    if (m_firstStep < 0) {
        m_firstStep = p.step;
        m_clock.start();
    }
    QString eta = tr("–");
    if (p.step > m_firstStep) {
        const double perStep = double(m_clock.elapsed()) / 1000.0 / double(p.step - m_firstStep);
        const qint64 left = qint64(perStep * double(p.totalSteps - p.step));
        eta = left >= 3600 ? tr("%1 h %2 min").arg(left / 3600).arg(left % 3600 / 60)
                           : tr("%1 min %2 s").arg(left / 60).arg(left % 60);
    }
    m_status->setText(tr("Step %1 of %2 · epoch %3 · loss %4 · %5 pairs/s · lr %6 · about %7 left")
                          .arg(p.step)
                          .arg(p.totalSteps)
                          .arg(p.epoch)
                          .arg(p.loss, 0, 'f', 4)
                          .arg(p.pairsPerSecond, 0, 'f', 1)
                          .arg(p.learningRate, 0, 'g', 3)
                          .arg(eta));
}

void FineTuneDialog::onFinished(const polar::FineTuneResult &r)
{
    setRunning(false);
    m_status->setText(tr("Done: %1 in %2 s (%3 pairs/s). The fine-tuned model is loaded and the project re-scored.")
                          .arg(QString::fromStdString(r.training.outputDir))
                          .arg(r.training.seconds, 0, 'f', 1)
                          .arg(r.training.pairsPerSecond, 0, 'f', 1));
    showComparison(r);
    Q_EMIT fineTuned(r);
}

void FineTuneDialog::showComparison(const polar::FineTuneResult &r)
{
    struct Row
    {
        QString measure, before, after;
    };
    std::vector<Row> rows;
    auto evalCell = [](const std::optional<polar::EvalResult> &e, bool accuracy) {
        if (!e)
            return tr("–");
        return accuracy ? percent(e->accuracy) : QString::number(e->loss, 'f', 4);
    };
    rows.push_back({tr("Held-out pairs (%1, prompts not trained on): accuracy").arg(r.training.validationPairs),
                    evalCell(r.training.before, true), evalCell(r.training.after, true)});
    rows.push_back({tr("Held-out pairs: loss"), evalCell(r.training.before, false), evalCell(r.training.after, false)});
    rows.push_back({tr("All rankings (%1, the held-out ones too): pairwise agreement")
                        .arg(countedText(r.after.items, tr("1 item"), tr("%1 items"))),
                    percent(r.before.pairwiseAccuracy()), percent(r.after.pairwiseAccuracy())});
    auto tau = [](const polar::AgreementReport &a) { return a.tauItems ? QString::number(a.meanKendallTau, 'f', 3) : tr("–"); };
    rows.push_back({tr("All rankings: mean Kendall tau-b"), tau(r.before), tau(r.after)});
    if (r.after.chosenRejectedItems)
        rows.push_back({tr("Chosen above rejected"), percent(r.before.rewardBenchAccuracy()), percent(r.after.rewardBenchAccuracy())});
    m_comparison->setRowCount(int(rows.size()));
    for (int i = 0; i < int(rows.size()); ++i) {
        m_comparison->setItem(i, 0, new QTableWidgetItem(rows[size_t(i)].measure));
        m_comparison->setItem(i, 1, new QTableWidgetItem(rows[size_t(i)].before));
        m_comparison->setItem(i, 2, new QTableWidgetItem(rows[size_t(i)].after));
    }
    m_comparison->resizeColumnsToContents();
    m_comparison->setVisible(true);
}

void FineTuneDialog::setRunning(bool on)
{
    m_start->setEnabled(!on);
    m_cancel->setEnabled(on);
    for (QWidget *w : std::initializer_list<QWidget *>{m_output, m_epochs, m_lr, m_batchTokens, m_maxLength, m_maxResponse, m_freeze,
                                                       m_valFraction, m_seed, m_evalEvery})
        w->setEnabled(!on);
}

void FineTuneDialog::reject()
{
    if (running()) {
        if (QMessageBox::question(this, tr("Stop fine-tuning?"),
                                  tr("Training is running. Stop it? A checkpoint is saved, so it can resume later."))
            != QMessageBox::Yes)
            return;
        m_closeWhenStopped = true;
        m_runner->cancel(); // closes once the runner reports it stopped
    }
    QDialog::reject();
}
