#include "workbench/diff_view.h"

#include "util/word_diff.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollBar>
#include <QTextBrowser>

DiffView::DiffView(QWidget *parent) : QWidget(parent)
{
    m_leftTitle = new QLabel(tr("<b>Reference</b>"));
    m_rightTitle = new QLabel(tr("<b>Candidate</b>"));
    m_left = new QTextBrowser;
    m_right = new QTextBrowser;
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->addWidget(m_leftTitle, 0, 0);
    grid->addWidget(m_rightTitle, 0, 1);
    grid->addWidget(m_left, 1, 0);
    grid->addWidget(m_right, 1, 1);
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

void DiffView::setTexts(const QString &reference, const QString &candidate, const QString &candidateTitle)
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
    m_leftTitle->setText(tr("<b>Reference</b> · %1% of words shared").arg(total ? 100 * same / total : 100));
    m_left->setHtml(QStringLiteral("<div style='white-space:pre-wrap'>%1</div>").arg(left));
    m_right->setHtml(QStringLiteral("<div style='white-space:pre-wrap'>%1</div>").arg(right));
}
