#pragma once

#include "preferences/metrics.h"

#include <QDialog>

class QListWidget;

// Two annotators compared: the agreement figures and the conflicts to
// resolve; activating a conflict asks for its item.
class AgreementDialog : public QDialog
{
    Q_OBJECT

public:
    // `lines` gives each item's line in the dataset; `taken` how many rankings were merged.
    AgreementDialog(const polar::AnnotatorAgreement &agreement, const std::vector<size_t> &lines, size_t taken,
                    QWidget *parent = nullptr);

Q_SIGNALS:
    void itemRequested(size_t item);

private:
    polar::AnnotatorAgreement m_agreement;
};
