#pragma once

#include "preferences/export.h"

#include <QDialog>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

// The choices of a pair export: strategy, format, margin and hardness filters,
// what to do with empty texts and role-less messages; below them, what those
// choices give on the project's items (pairs, items, what is left out and
// why), counted by the exporter itself as the choices change.
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    ExportDialog(std::vector<polar::AnnotatedItem> items, QWidget *parent = nullptr);
    polar::ExportOptions options() const;
    QString preview() const; // the counts as shown
    // Runs the dialog; the options when accepted.
    static std::optional<polar::ExportOptions> ask(std::vector<polar::AnnotatedItem> items, QWidget *parent);

private:
    void updatePreview();

    std::vector<polar::AnnotatedItem> m_items;
    QComboBox *m_strategy, *m_format;
    QCheckBox *m_useMargin, *m_hard, *m_keepEmpty, *m_fillRoles;
    QDoubleSpinBox *m_margin;
    QLabel *m_preview;
    QPushButton *m_ok;
};
