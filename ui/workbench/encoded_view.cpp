#include "workbench/encoded_view.h"
#include "widgets/appearance.h"
#include "widgets/table_copy.h"

#include "attribution/token_table_model.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

QString segmentLegendHtml()
{
    using polar::Segment;
    const std::pair<Segment, QString> items[] = {
        {Segment::Prompt, QObject::tr("prompt")},        {Segment::Reference, QObject::tr("reference")},
        {Segment::PromptCopy, QObject::tr("prompt (again)")}, {Segment::Output, QObject::tr("candidate output")},
        {Segment::Special, QObject::tr("special / separators")},
    };
    QString html;
    for (const auto &[seg, name] : items)
        html += QStringLiteral("<span style='background:%1;color:%3'>&nbsp;%2&nbsp;</span> ")
                    .arg(segmentColor(seg).name(), name, Appearance::textOnPastel().name());
    return html;
}

EncodedView::EncodedView(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel;
    m_warning = new QLabel;
    m_warning->setStyleSheet("QLabel { color: #8a4b00; background: #fff3d6; padding: 3px; border-radius: 3px; }");
    m_warning->setWordWrap(true);
    m_warning->setVisible(false);
    auto *legend = new QLabel(segmentLegendHtml());
    m_text = new QTextBrowser;
    m_text->setOpenLinks(false);
    m_tokens = new TokenTableModel(this);
    m_table = new QTableView;
    addCopyRowsMenu(m_table);
    m_table->setModel(m_tokens);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_text);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_warning);
    layout->addWidget(legend);
    layout->addWidget(split, 1);
    clear(tr("Score, then select a candidate to see the exact input the model reads."));
}

void EncodedView::clear(const QString &message)
{
    m_title->setText(message);
    m_warning->setVisible(false);
    m_text->clear();
    m_tokens->setInput({});
}

void EncodedView::setInput(const polar::PolarInput &input, const QString &title)
{
    m_title->setText(QStringLiteral("<b>%1</b> · %2 tokens").arg(title.toHtmlEscaped()).arg(input.ids.size()));
    m_warning->setVisible(input.truncation.any());
    m_warning->setText(tr("⚠ Truncated: %1").arg(QString::fromStdString(input.truncation.describe())));
    m_tokens->setInput(input);

    // One span per token: the segment's colour, alternately shaded so that
    // token boundaries show.
    QString html = QStringLiteral("<div style='font-family:monospace; white-space:pre-wrap; line-height:150%'>");
    bool alternate = false;
    for (const auto &t : input.tokens) {
        if (t.begin == t.end)
            continue; // BOS covers no text
        QString text = QString::fromUtf8(input.text.data() + t.begin, int(t.end - t.begin)).toHtmlEscaped();
        text.replace('\n', QStringLiteral("⏎<br>"));
        html += QStringLiteral("<span style='background:%1;color:%3'>%2</span>")
                    .arg(segmentColor(t.segment, alternate).name(), text, Appearance::textOnPastel().name());
        alternate = !alternate;
    }
    html += "</div>";
    m_text->setHtml(html);
}

QString EncodedView::title() const
{
    return m_title->text();
}

QString EncodedView::html() const
{
    return m_text->toHtml();
}
