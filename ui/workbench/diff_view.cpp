#include "workbench/diff_view.h"

#include "util/word_diff.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QLabel>
#include <QScrollBar>
#include <QTextBrowser>

DiffView::DiffView(QWidget *parent) : QWidget(parent)
{
    m_against = new QComboBox;
    m_against->setObjectName("diffAgainst");
    m_against->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_against->setMinimumContentsLength(24);
    m_against->addItem(tr("the reference"), qlonglong(0));
    connect(m_against, &QComboBox::currentIndexChanged, this, &DiffView::againstChanged);
    auto *choose = new QHBoxLayout;
    choose->addWidget(new QLabel(tr("Compare the selected candidate with")));
    choose->addWidget(m_against);
    choose->addStretch();
    m_leftTitle = new QLabel(tr("<b>Reference</b>"));
    m_rightTitle = new QLabel(tr("<b>Candidate</b>"));
    m_left = new QTextBrowser;
    m_right = new QTextBrowser;
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->addLayout(choose, 0, 0, 1, 2);
    grid->addWidget(m_leftTitle, 1, 0);
    grid->addWidget(m_rightTitle, 1, 1);
    grid->addWidget(m_left, 2, 0);
    grid->addWidget(m_right, 2, 1);
    // Scroll the two sides together.
    connect(m_left->verticalScrollBar(), &QScrollBar::valueChanged, m_right->verticalScrollBar(), &QScrollBar::setValue);
    connect(m_right->verticalScrollBar(), &QScrollBar::valueChanged, m_left->verticalScrollBar(), &QScrollBar::setValue);
}

void DiffView::clear()
{
    m_left->clear();
    m_right->clear();
    m_rightTitle->setText(tr("<b>Candidate</b>"));
}

void DiffView::setChoices(const QStringList &labels, const QList<qlonglong> &ids)
{
    const qlonglong keep = against();
    const QSignalBlocker block(m_against);
    while (m_against->count() > 1)
        m_against->removeItem(1);
    for (int i = 0; i < labels.size() && i < ids.size(); ++i)
        m_against->addItem(labels[i], ids[i]);
    const int at = m_against->findData(keep);
    m_against->setCurrentIndex(at < 0 ? 0 : at);
    if (at < 0 && keep != 0)
        Q_EMIT againstChanged(); // the candidate compared with is gone: back to the reference
}

qlonglong DiffView::against() const
{
    return m_against->currentData().toLongLong();
}

void DiffView::setAgainst(qlonglong id)
{
    const int at = m_against->findData(id);
    m_against->setCurrentIndex(at < 0 ? 0 : at);
}

QString DiffView::leftHtml() const
{
    return m_left->toHtml();
}

void DiffView::setTexts(const QString &reference, const QString &leftTitle, const QString &candidate, const QString &candidateTitle)
{
    m_rightTitle->setText(QStringLiteral("<b>%1</b>").arg(candidateTitle.toHtmlEscaped()));
    QString left, right;
    int same = 0, total = 0;
    for (const auto &piece : polar::wordDiff(reference.toStdString(), candidate.toStdString())) {
        QString text = QString::fromStdString(piece.text).toHtmlEscaped();
        text.replace('\n', "<br>");
        const int words = QString::fromStdString(piece.text).split(' ', Qt::SkipEmptyParts).size();
        switch (piece.kind) {
        case polar::DiffPiece::Kind::Same:
            left += text;
            right += text;
            same += words;
            total += words;
            break;
        case polar::DiffPiece::Kind::Removed:
            left += QStringLiteral("<span style='background:#f8d7d7; color:#8a1f1f; text-decoration:line-through'>%1</span>").arg(text);
            total += words;
            break;
        case polar::DiffPiece::Kind::Added:
            right += QStringLiteral("<span style='background:#d5f0d9; color:#17602b'>%1</span>").arg(text);
            total += words;
            break;
        }
    }
    m_leftTitle->setText(tr("<b>%1</b> · %2% of words shared").arg(leftTitle.toHtmlEscaped()).arg(total ? 100 * same / total : 100));
    m_left->setHtml(QStringLiteral("<div style='white-space:pre-wrap'>%1</div>").arg(left));
    m_right->setHtml(QStringLiteral("<div style='white-space:pre-wrap'>%1</div>").arg(right));
}
