#include "annotation/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

ExportDialog::ExportDialog(std::vector<polar::AnnotatedItem> items, QWidget *parent) : QDialog(parent), m_items(std::move(items))
{
    setWindowTitle(tr("Export pairs"));
    m_strategy = new QComboBox;
    for (auto s : {polar::PairStrategy::AllPairs, polar::PairStrategy::BestVsRest, polar::PairStrategy::Adjacent,
                   polar::PairStrategy::BestVsWorst})
        m_strategy->addItem(QString::fromLatin1(polar::pairStrategyName(s)), int(s));
    m_format = new QComboBox;
    m_format->addItem(tr("POLAR / xtuner train.jsonl (message lists)"), int(polar::PairFormat::Polar));
    m_format->addItem(tr("TRL conversational (message lists, roles kept)"), int(polar::PairFormat::Trl));
    m_format->addItem(tr("TRL plain text (prompt ends with a newline)"), int(polar::PairFormat::TrlText));
    m_useMargin = new QCheckBox(tr("Minimum reward margin"));
    m_margin = new QDoubleSpinBox;
    m_margin->setRange(0, 100);
    m_margin->setSingleStep(0.1);
    m_margin->setEnabled(false);
    m_hard = new QCheckBox(tr("Hard pairs only (the model disagrees)"));
    m_keepEmpty = new QCheckBox(tr("Keep empty outputs and prompts"));
    m_fillRoles = new QCheckBox(tr("Give role-less messages the default role"));
    m_preview = new QLabel;
    m_preview->setObjectName(QStringLiteral("exportPreview"));
    m_preview->setWordWrap(true);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Export…"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *form = new QFormLayout(this);
    form->setSizeConstraint(QLayout::SetMinimumSize); // the counts may wrap onto more lines
    form->addRow(tr("Strategy"), m_strategy);
    form->addRow(tr("Format"), m_format);
    form->addRow(m_useMargin, m_margin);
    form->addRow(m_hard);
    form->addRow(m_keepEmpty);
    form->addRow(m_fillRoles);
    form->addRow(m_preview);
    form->addRow(buttons);

    connect(m_useMargin, &QCheckBox::toggled, m_margin, &QWidget::setEnabled);
    for (QComboBox *c : {m_strategy, m_format})
        connect(c, &QComboBox::currentIndexChanged, this, &ExportDialog::updatePreview);
    for (QCheckBox *c : {m_useMargin, m_hard, m_keepEmpty, m_fillRoles})
        connect(c, &QCheckBox::toggled, this, &ExportDialog::updatePreview);
    // Holding a spin arrow down recounts once it stops, not at every step (a count
    // over 100,000 items takes a moment).
    auto *marginSettled = new QTimer(this);
    marginSettled->setSingleShot(true);
    marginSettled->setInterval(200);
    connect(marginSettled, &QTimer::timeout, this, &ExportDialog::updatePreview);
    connect(m_margin, &QDoubleSpinBox::valueChanged, marginSettled, qOverload<>(&QTimer::start));
    updatePreview();
}

polar::ExportOptions ExportDialog::options() const
{
    polar::ExportOptions o;
    o.strategy = polar::PairStrategy(m_strategy->currentData().toInt());
    o.format = polar::PairFormat(m_format->currentData().toInt());
    if (m_useMargin->isChecked())
        o.minMargin = m_margin->value();
    o.hardOnly = m_hard->isChecked();
    o.keepEmpty = m_keepEmpty->isChecked();
    o.fillMissingRoles = m_fillRoles->isChecked();
    return o;
}

QString ExportDialog::preview() const
{
    return m_preview->text();
}

void ExportDialog::updatePreview()
{
    // The exporter's own selection: what is counted here is what gets written.
    polar::ExportSummary s;
    polar::collectPairs(m_items, options(), s);
    QString text = QString::fromStdString(s.describe()).toHtmlEscaped().replace('\n', QStringLiteral("<br>"));
    if (!s.pairs)
        text = tr("<b>Nothing to export with these settings.</b> ") + text;
    m_preview->setText(text);
    m_ok->setEnabled(s.pairs > 0);
    if (isVisible())
        adjustSize(); // a longer account must not be cut off below the buttons
}

std::optional<polar::ExportOptions> ExportDialog::ask(std::vector<polar::AnnotatedItem> items, QWidget *parent)
{
    ExportDialog d(std::move(items), parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.options();
}
