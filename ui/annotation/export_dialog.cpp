#include "annotation/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>

ExportDialog::ExportDialog(QWidget *parent) : QDialog(parent)
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
    m_hard = new QCheckBox(tr("Hard pairs only (the model disagrees)"));
    m_keepEmpty = new QCheckBox(tr("Keep empty outputs and prompts"));
    m_fillRoles = new QCheckBox(tr("Give role-less messages the default role"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *form = new QFormLayout(this);
    form->addRow(tr("Strategy"), m_strategy);
    form->addRow(tr("Format"), m_format);
    form->addRow(m_useMargin, m_margin);
    form->addRow(m_hard);
    form->addRow(m_keepEmpty);
    form->addRow(m_fillRoles);
    form->addRow(buttons);
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

std::optional<polar::ExportOptions> ExportDialog::ask(QWidget *parent)
{
    ExportDialog d(parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.options();
}
