#include "analysis/numerics_dialog.h"
#include "widgets/window_size.h"

#include "analysis/analysis_wait.h"
#include "engine/controller.h"
#include "model/reward_model.h"
#include "util/files.h"
#include "widgets/appearance.h"
#include "widgets/save_file.h"
#include "workbench/workspace_document.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

NumericsDialog::NumericsDialog(WorkspaceDocument *doc, EngineController *engine, QWidget *parent)
    : QDialog(parent), m_doc(doc), m_engine(engine)
{
    setWindowTitle(tr("Check numerics"));
    auto *intro = new QLabel(tr("Scores the candidates alone (the baseline), batched with inputs of other lengths, bucketed by "
                                "length and sharing their prompt+reference prefix, and optionally in another precision, then "
                                "reports the largest differences and any change of ranking. Tolerances: %1 × max(1, |reward|) "
                                "in the same precision, %2 × max(1, |reward|) in half precision. Inputs are numbered as the "
                                "candidates; the last one is the reference.")
                                 .arg(polar::kSamePrecisionTolerance)
                                 .arg(polar::kHalfPrecisionTolerance));
    intro->setWordWrap(true);
    m_precision = new QComboBox;
    m_precision->setObjectName("comparePrecision");
    m_precision->addItem(tr("no other precision"), QString());
    m_precision->addItem(tr("also in bf16 (loads a second copy)"), QStringLiteral("bf16"));
    m_precision->addItem(tr("also in fp16 (loads a second copy)"), QStringLiteral("fp16"));
    m_run = new QPushButton(tr("Run check"));
    m_run->setDefault(true);
    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    auto *row = new QHBoxLayout;
    row->addWidget(m_precision);
    row->addWidget(m_run);
    row->addWidget(m_progress, 1);
    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_text = new QPlainTextEdit;
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_save = buttons->addButton(tr("Save JSON…"), QDialogButtonBox::ActionRole);
    m_save->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(row);
    layout->addWidget(m_verdict);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);
    sizeToScreen(this, QSize(820, 480));

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_run, &QPushButton::clicked, this, &NumericsDialog::run);
    connect(m_save, &QPushButton::clicked, this, [this] {
        if (!m_report)
            return;
        if (const QString error = saveJsonAs(this, tr("Save the numerics report"), QStringLiteral("numerics-check.json"), m_report->toJson());
            !error.isEmpty())
            m_verdict->setText(Appearance::errorHtml(error));
    });
    m_wait = new AnalysisWait(m_engine, QMetaType::fromType<polar::NumericsReport>(), m_progress, m_run, this);
    connect(m_wait, &AnalysisWait::finished, this, [this](const QVariant &result) {
        m_report = result.value<polar::NumericsReport>();
        m_text->setPlainText(QString::fromStdString(m_report->describe()));
        const bool ok = m_report->allWithinTolerance();
        m_verdict->setText(ok ? tr("<b>Every variant is within tolerance.</b>")
                              : tr("<b style='color:%1'>Some variant is out of tolerance:</b> see the inputs that moved most.")
                                    .arg(Appearance::tone(Appearance::Tone::Bad).name()));
        m_save->setEnabled(true);
        Q_EMIT finished(true);
    });
    connect(m_wait, &AnalysisWait::failed, this, [this](const QString &error) {
        m_verdict->setText(Appearance::errorHtml(error));
        Q_EMIT finished(false);
    });
}

void NumericsDialog::run()
{
    const auto &ws = m_doc->workspace();
    if (ws.candidates.empty() || !m_engine->hasModel()) {
        m_verdict->setText(ws.candidates.empty() ? tr("Add candidates first.") : tr("Load a model first (Ctrl+L)."));
        Q_EMIT finished(false);
        return;
    }
    std::vector<polar::ScoreRequest> requests;
    for (const auto &c : ws.candidates)
        requests.push_back({ws.prompt, ws.reference, c.text});
    // The reference as a candidate too, like the workbench's anchor row.
    requests.push_back({ws.prompt, ws.reference, ws.reference});
    const std::string dtype = m_precision->currentData().toString().toStdString();
    if (dtype == "fp16" && m_engine->modelInfo().device == "cpu") {
        // LibTorch's CPU kernels lack half-precision products: say so rather than fail inside.
        m_verdict->setText(tr("fp16 needs a GPU here; on the CPU compare bf16."));
        Q_EMIT finished(false);
        return;
    }
    m_engine->analyze([requests, settings = polar::ScoringSettings(ws.settings), dtype](const polar::RewardModel &model,
                                                                                       const polar::ScoreControl &control) {
        std::unique_ptr<polar::RewardModel> other;
        if (!dtype.empty()) {
            polar::LoadOptions lo;
            lo.device = model.info().device.rfind("cuda", 0) == 0 ? polar::Device::Cuda : polar::Device::Cpu;
            lo.dtype = polar::parseComputeDType(dtype);
            other = polar::RewardModel::load(model.info().directory, lo);
        }
        return QVariant::fromValue(polar::checkNumerics(model, requests, std::vector<size_t>(requests.size(), 0), settings, other.get(), control));
    });
    m_wait->start();
    m_report.reset();
    m_save->setEnabled(false);
    m_text->clear();
    m_verdict->setText(tr("Running…"));
}

QString NumericsDialog::reportText() const
{
    return m_text->toPlainText();
}
