#include "analysis/bench_dialog.h"
#include "widgets/window_size.h"

#include "analysis/analysis_wait.h"
#include "charts/chart_export.h"
#include "engine/controller.h"
#include "util/files.h"
#include "widgets/appearance.h"
#include "widgets/counted_text.h"
#include "widgets/save_file.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QChartView>
#include <QtCharts/QHorizontalBarSeries>
#include <QtCharts/QValueAxis>

BenchDialog::BenchDialog(EngineController *engine, QWidget *parent) : QDialog(parent), m_engine(engine)
{
    setWindowTitle(tr("Evaluate on a RewardBench file"));
    m_file = new QLineEdit;
    m_file->setObjectName("benchFile");
    m_file->setPlaceholderText(tr("a local JSONL file in RewardBench v1 or v2 format"));
    auto *browse = new QPushButton(tr("Browse…"));
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    m_referenceKind = new QComboBox;
    m_referenceKind->addItem(tr("leave-one-out: another chosen answer to the same prompt"), QStringLiteral("leave-one-out"));
    m_referenceKind->addItem(tr("a column of the file"), QStringLiteral("column"));
    m_referenceKind->addItem(tr("a file of {id, reference}"), QStringLiteral("file"));
    m_referenceArg = new QLineEdit(QStringLiteral("reference"));
    m_referenceArg->setObjectName("referenceArg");
    m_referenceArg->setEnabled(false);
    auto *refRow = new QHBoxLayout;
    refRow->addWidget(m_referenceKind, 1);
    refRow->addWidget(m_referenceArg, 1);
    auto *form = new QFormLayout;
    form->addRow(tr("Benchmark"), fileRow);
    form->addRow(tr("References"), refRow);
    m_run = new QPushButton(tr("Evaluate"));
    m_run->setDefault(true);
    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_run);
    runRow->addWidget(m_progress, 1);
    m_status = new QLabel(tr("POLAR needs a reference for every answer it judges; RewardBench has none, so the report says "
                             "where they came from, and its figures are not comparable with reference-free reward models'."));
    m_status->setWordWrap(true);

    auto *series = new QHorizontalBarSeries;
    m_bars = new QBarSet(tr("accuracy %"));
    m_bars->setColor(QColor(0x3b, 0x6e, 0xa8));
    series->append(m_bars);
    auto *chart = new QChart;
    chart->addSeries(series);
    chart->legend()->hide();
    chart->setTitle(tr("Accuracy per subset"));
    m_subsets = new QBarCategoryAxis;
    m_subsets->setTruncateLabels(false);
    auto *x = new QValueAxis;
    x->setRange(0, 100);
    x->setTickCount(6);
    x->setLabelFormat("%d");
    x->setTitleText(tr("% right (ties share the credit)"));
    chart->addAxis(m_subsets, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(m_subsets);
    series->attachAxis(x);
    m_chart = new QChartView(chart);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(200);
    addChartMenu(m_chart, QStringLiteral("rewardbench.png"), [this] {
        QString out = tr("subset\trows\taccuracy\n");
        if (m_report)
            for (const auto &[name, sub] : m_report->subsets)
                out += QStringLiteral("%1\t%2\t%3\n").arg(QString::fromStdString(name)).arg(sub.rows).arg(sub.accuracy(), 0, 'g', 9);
        return out;
    });
    m_text = new QPlainTextEdit;
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_chart);
    split->addWidget(m_text);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_save = buttons->addButton(tr("Save JSON…"), QDialogButtonBox::ActionRole);
    m_save->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(runRow);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    sizeToScreen(this, QSize(820, 620)); // a 1280x720 screen has less height than that

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = askOpenPath(this, tr("RewardBench file"), tr("JSON Lines (*.jsonl);;All files (*)"));
        if (!path.isEmpty())
            m_file->setText(path);
    });
    connect(m_referenceKind, &QComboBox::currentIndexChanged, this, [this] {
        const QString kind = m_referenceKind->currentData().toString();
        m_referenceArg->setEnabled(kind != "leave-one-out");
        m_referenceArg->setPlaceholderText(kind == "file" ? tr("path of the references file") : tr("column name"));
        // A column name is no file path and the other way round: each kind starts from its own default.
        const QString text = m_referenceArg->text();
        if (kind == "file" && text == QLatin1String("reference"))
            m_referenceArg->clear();
        else if (kind == "column" && (text.isEmpty() || text.contains('/')))
            m_referenceArg->setText(QStringLiteral("reference"));
    });
    connect(m_run, &QPushButton::clicked, this, &BenchDialog::run);
    connect(m_save, &QPushButton::clicked, this, [this] {
        if (!m_report)
            return;
        if (const QString error = saveJsonAs(this, tr("Save the evaluation"), QStringLiteral("rewardbench-eval.json"), m_report->toJson());
            !error.isEmpty())
            m_status->setText(Appearance::errorHtml(error));
    });
    m_wait = new AnalysisWait(m_engine, QMetaType::fromType<polar::BenchReport>(), m_progress, m_run, this);
    connect(m_wait, &AnalysisWait::finished, this, [this](const QVariant &result) {
        m_report = result.value<polar::BenchReport>();
        showReport();
        Q_EMIT finished(true);
    });
    connect(m_wait, &AnalysisWait::failed, this, [this](const QString &error) {
        m_status->setText(Appearance::errorHtml(error));
        Q_EMIT finished(false);
    });
}

void BenchDialog::setBenchFile(const QString &path)
{
    m_file->setText(path);
}

void BenchDialog::setReference(const QString &spec)
{
    const auto o = polar::parseBenchReference(spec.toStdString()); // the CLI's --reference forms
    const char *kind = o.source == polar::BenchReference::Column ? "column" : o.source == polar::BenchReference::File ? "file"
                                                                                                                     : "leave-one-out";
    m_referenceKind->setCurrentIndex(m_referenceKind->findData(QString::fromLatin1(kind)));
    m_referenceArg->setText(QString::fromStdString(o.source == polar::BenchReference::File ? o.file : o.column));
}

void BenchDialog::run()
{
    auto fail = [this](const QString &why) {
        m_status->setText(Appearance::errorHtml(why));
        Q_EMIT finished(false);
    };
    if (!m_engine->hasModel())
        return fail(tr("Load a model first (Ctrl+L in the workbench)."));
    polar::BenchReferenceOptions ro;
    const QString kind = m_referenceKind->currentData().toString();
    ro.source = kind == "column" ? polar::BenchReference::Column : kind == "file" ? polar::BenchReference::File
                                                                                 : polar::BenchReference::LeaveOneOut;
    ro.column = ro.file = m_referenceArg->text().trimmed().toStdString();
    if (ro.source != polar::BenchReference::LeaveOneOut && ro.column.empty())
        return fail(kind == "file" ? tr("Give the references file.") : tr("Give the column that holds the references."));
    // Reading and matching references are quick and their errors name the
    // line: done here, so a bad file is reported before anything runs.
    std::vector<polar::BenchRow> rows;
    size_t missing = 0;
    try {
        rows = polar::readRewardBench(m_file->text().toStdString());
        missing = polar::attachReferences(rows, ro);
    } catch (const std::exception &e) {
        return fail(QString::fromUtf8(e.what()));
    }
    if (missing == rows.size())
        return fail(QString::fromStdString(polar::noReferencesMessage(rows, ro)));
    m_engine->analyze([rows = std::move(rows), ro](const polar::RewardModel &model, const polar::ScoreControl &control) {
        return QVariant::fromValue(polar::evaluateRewardBench(model, rows, ro, polar::ScoringSettings{}, control));
    });
    m_wait->start();
    m_report.reset();
    m_save->setEnabled(false);
    m_status->setText(tr("Scoring…"));
}

void BenchDialog::showReport()
{
    m_text->setPlainText(QString::fromStdString(m_report->describe()));
    QStringList names;
    QList<qreal> values;
    // Bottom to top in the chart: reversed, so the first subset is the top bar.
    for (auto it = m_report->subsets.rbegin(); it != m_report->subsets.rend(); ++it) {
        names << tr("%1 (%2)").arg(QString::fromStdString(it->first)).arg(it->second.rows);
        values << 100 * it->second.accuracy();
    }
    m_bars->remove(0, m_bars->count());
    m_bars->append(values);
    m_subsets->setCategories(names);
    m_status->setText(tr("%1 evaluated; references: %2. Not comparable with reference-free reward models.")
                          .arg(countedText(qint64(m_report->evaluated), tr("1 row"), tr("%1 rows")),
                               QString::fromStdString(m_report->reference).toHtmlEscaped()));
    m_save->setEnabled(true);
}

QString BenchDialog::reportText() const
{
    return m_text->toPlainText();
}
