#include "analysis/reference_view.h"

#include "analysis/analysis_wait.h"
#include "charts/chart_export.h"
#include "engine/controller.h"
#include "widgets/appearance.h"
#include "widgets/difference_preview.h"
#include "widgets/save_file.h"
#include "widgets/table_copy.h"
#include "workbench/workspace_document.h"

#include <QAction>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>

namespace {

// White for the lowest reward of the matrix, deep blue for the highest.
QColor heat(double v, double lo, double hi)
{
    const double t = hi > lo ? std::clamp((v - lo) / (hi - lo), 0.0, 1.0) : 0.5;
    const QColor end(0x21, 0x66, 0xac);
    return QColor(int(255 + (end.red() - 255) * t), int(255 + (end.green() - 255) * t), int(255 + (end.blue() - 255) * t));
}

std::vector<std::string> textsOf(const WorkspaceDocument &doc, const std::string &edited)
{
    std::vector<std::string> t{doc.workspace().prompt.flattened(), doc.workspace().reference.flattened(), edited};
    for (int r = 0; r < doc.candidateCount(); ++r)
        t.push_back(doc.candidateAt(r).text.flattened());
    return t;
}

} // namespace

void ReferenceMatrixModel::setResult(const polar::ReferenceSensitivity &r, const QStringList &labels)
{
    beginResetModel();
    m_r = r;
    m_labels = labels;
    m_lo = m_hi = 0;
    bool first = true;
    for (int row = 0; row < rowCount(); ++row)
        for (int c = Given; c < columnCount(); ++c)
            if (const auto v = value(row, c)) {
                m_lo = first ? *v : std::min(m_lo, *v);
                m_hi = first ? *v : std::max(m_hi, *v);
                first = false;
            }
    endResetModel();
}

std::optional<double> ReferenceMatrixModel::value(int row, int column) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    const size_t i = candidateAt(row);
    if (column == Given)
        return m_r.given[i];
    if (column == Empty)
        return m_r.empty[i];
    if (m_r.edited && column == FIRST_OPTIONAL)
        return (*m_r.edited)[i];
    const int j = column - firstReferenceColumn();
    if (j >= 0 && j < rowCount())
        return m_r.matrix[i][m_r.order[size_t(j)]];
    return std::nullopt;
}

int ReferenceMatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_r.order.size());
}

int ReferenceMatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_r.order.empty() ? 0 : firstReferenceColumn() + rowCount();
}

QVariant ReferenceMatrixModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const size_t i = candidateAt(index.row());
    const auto v = value(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == Candidate)
            return m_labels.value(int(i));
        if (index.column() == Group) {
            for (size_t g = 0; g < m_r.groups.size(); ++g)
                if (std::find(m_r.groups[g].begin(), m_r.groups[g].end(), i) != m_r.groups[g].end())
                    return QString(QChar('A' + int(g % 26)));
            return {};
        }
        return v ? QVariant(QString::number(*v, 'f', 3)) : QVariant();
    case Qt::ToolTipRole:
        if (!v)
            return index.column() == Candidate ? QVariant(m_labels.value(int(i))) : QVariant();
        if (index.column() - firstReferenceColumn() == index.row())
            return tr("#%1 as its own reference: its copy ceiling, %2").arg(i + 1).arg(*v, 0, 'f', 4);
        return tr("#%1 %2: %3").arg(i + 1).arg(headerData(index.column(), Qt::Horizontal).toString()).arg(*v, 0, 'f', 4);
    case Qt::BackgroundRole:
        return v ? QVariant(heat(*v, m_lo, m_hi)) : QVariant();
    case Qt::ForegroundRole:
        if (!v)
            return {};
        return heat(*v, m_lo, m_hi).lightnessF() < 0.55 ? QVariant(QColor(Qt::white)) : QVariant(Appearance::textOnPastel());
    case Qt::TextAlignmentRole:
        return index.column() >= Given ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::FontRole:
        if (index.column() - firstReferenceColumn() == index.row()) {
            QFont f;
            f.setBold(true); // the diagonal: copy ceilings
            return f;
        }
        return {};
    }
    return {};
}

QVariant ReferenceMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const bool tip = role == Qt::ToolTipRole;
    if (section == Candidate)
        return tip ? tr("The candidate scored (rows are grouped by mutual consistency)") : tr("Candidate");
    if (section == Group)
        return tip ? tr("Candidates in one group reach each other's copy ceiling when used as each other's reference")
                   : tr("Group");
    if (section == Given)
        return tip ? tr("Reward under the workspace's reference") : tr("Given ref");
    if (section == Empty)
        return tip ? tr("Reward under an empty reference") : tr("Empty ref");
    if (m_r.edited && section == FIRST_OPTIONAL)
        return tip ? tr("Reward under the edited reference typed above") : tr("Edited ref");
    const int j = section - firstReferenceColumn();
    if (j < 0 || j >= rowCount())
        return {};
    return tip ? tr("Reward with candidate #%1 as the reference").arg(m_r.order[size_t(j)] + 1)
               : tr("ref #%1").arg(m_r.order[size_t(j)] + 1);
}

ReferenceView::ReferenceView(WorkspaceDocument *doc, EngineController *engine, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_engine(engine)
{
    // Compact: at 1280x720 this tab has a few hundred pixels, and they belong to the matrix.
    setToolTip(tr("How much the reward depends on the reference: each candidate under the given reference, an empty one, an "
                  "edited one, and every candidate as the reference (bold: the copy ceiling)."));
    m_edited = new QPlainTextEdit;
    m_edited->setObjectName("editedReference");
    m_edited->setPlaceholderText(tr("Edited reference (optional): try a variant of the reference"));
    m_edited->setFixedHeight(2 * m_edited->fontMetrics().lineSpacing() + 12);
    m_run = new QPushButton(tr("Compute matrix"));
    m_run->setToolTip(tr("Scores every candidate against every reference (Ctrl+Shift+M)"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setVisible(false);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(140);
    m_progress->setVisible(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_edited, 1);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress);
    m_stale = new QLabel;
    m_stale->setWordWrap(true);
    m_stale->setStyleSheet("QLabel{background:#fff4ce;color:#4a3b00;border:1px solid #e0c060;padding:3px}");
    m_stale->setVisible(false);
    m_model = new ReferenceMatrixModel(this);
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->verticalHeader()->setVisible(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    addCopyRowsMenu(m_table);
    // The table's exports: ask where, write, say what went wrong.
    using Export = bool (ReferenceView::*)(const QString &, QString *) const;
    auto exportAction = [this](const QString &text, const QString &name, const QString &filter, Export write) {
        auto *action = new QAction(text, m_table);
        connect(action, &QAction::triggered, this, [this, text, name, filter, write] {
            const QString path = askSavePath(this, text, name, filter, QFileInfo(name).suffix());
            QString error;
            if (!path.isEmpty() && !(this->*write)(path, &error))
                m_summary->setText(Appearance::errorHtml(error));
        });
        return action;
    };
    QAction *csvAction = exportAction(tr("Save numbers as CSV…"), QStringLiteral("reference-matrix.csv"), tr("CSV (*.csv)"),
                                      &ReferenceView::exportCsv);
    QAction *pngAction = exportAction(tr("Save heat map as PNG…"), QStringLiteral("reference-matrix.png"), tr("PNG (*.png)"),
                                      &ReferenceView::exportPng);
    m_table->addActions({csvAction, pngAction});
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buttons);
    layout->addWidget(m_stale);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);

    connect(m_run, &QPushButton::clicked, this, &ReferenceView::run);
    connect(m_cancel, &QPushButton::clicked, m_engine, &EngineController::cancel);
    connect(m_doc, &WorkspaceDocument::changed, this, &ReferenceView::updateStale);
    connect(m_edited, &QPlainTextEdit::textChanged, this, &ReferenceView::updateStale);
    m_wait = new AnalysisWait(m_engine, QMetaType::fromType<polar::ReferenceSensitivity>(), m_progress, m_run, this);
    connect(m_wait, &AnalysisWait::finished, m_cancel, &QWidget::hide);
    connect(m_wait, &AnalysisWait::failed, m_cancel, &QWidget::hide);
    connect(m_wait, &AnalysisWait::finished, this, [this](const QVariant &result) {
        QStringList texts;
        for (size_t k = 3; k < m_pendingTexts.size(); ++k)
            texts << QString::fromStdString(m_pendingTexts[k]);
        const QStringList previews = differencePreviews(texts);
        QStringList labels;
        for (int k = 0; k < previews.size(); ++k)
            labels << tr("#%1 %2").arg(k + 1).arg(previews[k].left(40));
        const auto r = result.value<polar::ReferenceSensitivity>();
        m_model->setResult(r, labels);
        // Columns come and go with the candidates: sized once per result
        // (per-section modes on a header would outlive their sections).
        m_table->resizeColumnsToContents();
        m_table->setColumnWidth(ReferenceMatrixModel::Candidate, std::min(m_table->columnWidth(ReferenceMatrixModel::Candidate), 220));
        m_ranTexts = m_pendingTexts;
        QStringList groups;
        for (const auto &g : r.groups) {
            QStringList members;
            for (size_t i : g)
                members << QStringLiteral("#%1").arg(i + 1);
            groups << members.join(' ');
        }
        m_summary->setText(tr("Groups of mutually consistent answers: %1 (cut at an average distance of %2 from each other's "
                              "copy ceiling).")
                               .arg(groups.join(QStringLiteral(" · ")).toHtmlEscaped())
                               .arg(r.threshold, 0, 'f', 3));
        updateStale();
        Q_EMIT finished(true);
    });
    connect(m_wait, &AnalysisWait::failed, this, [this](const QString &error) {
        m_summary->setText(Appearance::errorHtml(error));
        Q_EMIT finished(false);
    });
}

void ReferenceView::run()
{
    const auto &ws = m_doc->workspace();
    if (ws.candidates.empty() || !m_engine->hasModel()) {
        m_summary->setText(ws.candidates.empty() ? tr("Add candidates first.") : tr("Load a model first (Ctrl+L)."));
        Q_EMIT finished(false);
        return;
    }
    const std::string editedText = m_edited->toPlainText().toStdString();
    std::optional<polar::TextField> edited;
    if (!editedText.empty())
        edited = polar::TextField::fromString(editedText);
    std::vector<polar::TextField> candidates;
    for (const auto &c : ws.candidates)
        candidates.push_back(c.text);
    m_pendingTexts = textsOf(*m_doc, editedText);
    m_engine->analyze([prompt = ws.prompt, reference = ws.reference, candidates, settings = polar::ScoringSettings(ws.settings),
                       edited](const polar::RewardModel &model, const polar::ScoreControl &control) {
        return QVariant::fromValue(polar::referenceSensitivity(model, prompt, reference, candidates, settings, edited, -1, control));
    });
    m_wait->start();
    m_cancel->setVisible(true);
}

QString ReferenceView::staleReason() const
{
    if (m_ranTexts.empty())
        return {};
    const auto now = textsOf(*m_doc, m_edited->toPlainText().toStdString());
    if (now.size() != m_ranTexts.size())
        return tr("candidates were added or removed");
    if (now[0] != m_ranTexts[0] || now[1] != m_ranTexts[1])
        return tr("the prompt or the reference was edited");
    if (now[2] != m_ranTexts[2])
        return tr("the edited reference changed");
    for (size_t k = 3; k < now.size(); ++k)
        if (now[k] != m_ranTexts[k])
            return tr("candidate #%1 was edited").arg(k - 2);
    return {};
}

void ReferenceView::updateStale()
{
    const QString why = staleReason();
    m_stale->setVisible(!why.isEmpty());
    if (!why.isEmpty())
        m_stale->setText(tr("<b>Out of date:</b> %1. Compute the matrix again (Ctrl+Shift+M).").arg(why.toHtmlEscaped()));
}

QString ReferenceView::csv() const
{
    // Plain numbers at full precision, the candidates by number.
    QStringList lines;
    QStringList header{QStringLiteral("candidate"), QStringLiteral("group")};
    for (int c = ReferenceMatrixModel::Given; c < m_model->columnCount(); ++c)
        header << m_model->headerData(c, Qt::Horizontal).toString().toLower().replace(' ', '_').replace('#', "");
    lines << header.join(',');
    for (int r = 0; r < m_model->rowCount(); ++r) {
        QStringList row{QString::number(m_model->candidateAt(r) + 1), m_model->index(r, ReferenceMatrixModel::Group).data().toString()};
        for (int c = ReferenceMatrixModel::Given; c < m_model->columnCount(); ++c)
            row << QString::number(*m_model->value(r, c), 'g', 9);
        lines << row.join(',');
    }
    return lines.join('\n') + '\n';
}

QString ReferenceView::html() const
{
    QString rows;
    QString head = QStringLiteral("<tr>");
    for (int c = 0; c < m_model->columnCount(); ++c)
        head += QStringLiteral("<th>%1</th>").arg(m_model->headerData(c, Qt::Horizontal).toString().toHtmlEscaped());
    head += "</tr>";
    for (int r = 0; r < m_model->rowCount(); ++r) {
        rows += "<tr>";
        for (int c = 0; c < m_model->columnCount(); ++c) {
            const QModelIndex i = m_model->index(r, c);
            const QVariant bg = i.data(Qt::BackgroundRole), fg = i.data(Qt::ForegroundRole);
            rows += QStringLiteral("<td style='%1%2%3'>%4</td>")
                        .arg(bg.isValid() ? QStringLiteral("background:%1;").arg(bg.value<QColor>().name()) : QString())
                        .arg(fg.isValid() ? QStringLiteral("color:%1;").arg(fg.value<QColor>().name()) : QString())
                        .arg(i.data(Qt::FontRole).isValid() ? QStringLiteral("font-weight:bold;") : QString())
                        .arg(i.data().toString().toHtmlEscaped());
        }
        rows += "</tr>";
    }
    return QStringLiteral("<h3>Reward by reference</h3><p>Prompt: %1</p><table border=1 cellspacing=0 cellpadding=4>%2%3</table><p>%4</p>")
        .arg(QString::fromStdString(m_ranTexts.empty() ? std::string() : m_ranTexts[0]).toHtmlEscaped(), head, rows,
             m_summary->text());
}

bool ReferenceView::exportCsv(const QString &path, QString *error) const
{
    if (m_model->rowCount() == 0) {
        if (error)
            *error = tr("Nothing to save yet: compute the matrix first.");
        return false;
    }
    return saveFile(path, csv().toUtf8(), error);
}

bool ReferenceView::exportPng(const QString &path, QString *error) const
{
    if (m_model->rowCount() == 0) {
        if (error)
            *error = tr("Nothing to save yet: compute the matrix first.");
        return false;
    }
    QTextDocument doc;
    doc.setHtml(html());
    return saveImage(renderDocument(doc, 1000, 2.0), path, error);
}
