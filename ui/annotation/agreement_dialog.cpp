#include "annotation/agreement_dialog.h"
#include "widgets/window_size.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

AgreementDialog::AgreementDialog(const polar::AnnotatorAgreement &agreement, const std::vector<size_t> &lines, size_t taken,
                                 QWidget *parent)
    : QDialog(parent), m_agreement(agreement)
{
    setWindowTitle(tr("Annotator agreement"));
    auto *list = new QListWidget;
    for (const auto &c : m_agreement.conflicts)
        list->addItem(tr("line %1: outputs #%2 and #%3 — this project prefers #%4, the other #%5")
                          .arg(lines[c.item])
                          .arg(c.a + 1)
                          .arg(c.b + 1)
                          .arg(c.firstSays < 0 ? c.a + 1 : c.b + 1)
                          .arg(c.firstSays < 0 ? c.b + 1 : c.a + 1));
    connect(list, &QListWidget::itemActivated, this,
            [this, list] { Q_EMIT itemRequested(m_agreement.conflicts[size_t(list->currentRow())].item); });
    auto *l = new QVBoxLayout(this);
    l->addWidget(new QLabel(QString::fromStdString(m_agreement.describe()).toHtmlEscaped().replace('\n', "<br>")
                            + tr("<br>Rankings taken from the other project for items unannotated here: %1 "
                                 "(one step to undo)").arg(taken)));
    l->addWidget(new QLabel(tr("Conflicts to resolve (double-click to open the item):")));
    l->addWidget(list);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    l->addWidget(close);
    sizeToScreen(this, QSize(700, 460));
}
