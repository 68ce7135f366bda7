#pragma once

#include "preferences/export.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

// The choices of a pair export: strategy, format, margin and hardness filters,
// what to do with empty texts and role-less messages.
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ExportDialog(QWidget *parent = nullptr);
    polar::ExportOptions options() const;
    // Runs the dialog; the options when accepted.
    static std::optional<polar::ExportOptions> ask(QWidget *parent);

private:
    QComboBox *m_strategy, *m_format;
    QCheckBox *m_useMargin, *m_hard, *m_keepEmpty, *m_fillRoles;
    QDoubleSpinBox *m_margin;
};
