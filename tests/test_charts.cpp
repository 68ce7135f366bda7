// Charts that tell the truth at any size: histogram bins with round edges
// that hold every value, whole-number count axes, bin labels that survive
// rich-text rendering, and exports drawn from the chart at print resolution.
#include "annotation/dataset_charts.h"
#include "charts/chart_export.h"
#include "charts/histogram.h"

#include <QFile>
#include <QAction>
#include <QImage>
#include <QTemporaryDir>
#include <QTextDocumentFragment>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>
#include <QtTest>

#include <random>
#include <set>

using namespace polar;

class TestCharts : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    static void checkHistogram(const std::vector<double> &values, int maxBins)
    {
        const Histogram h = histogram(values, maxBins);
        QVERIFY(!h.counts.empty());
        QVERIFY(int(h.counts.size()) <= maxBins);
        QCOMPARE(h.edges.size(), h.counts.size() + 1);
        double total = 0;
        for (double c : h.counts)
            total += c;
        QCOMPARE(total, double(values.size())); // every value in exactly one bin
        for (double v : values) {
            QVERIFY(v >= h.edges.front());
            QVERIFY(v < h.edges.back()); // the largest too: bins are [a, b)
        }
        std::set<QString> labels;
        for (size_t k = 0; k < h.edges.size(); ++k)
            labels.insert(h.edgeLabel(k));
        QCOMPARE(labels.size(), h.edges.size()); // neighbouring edges never print alike
    }

private Q_SLOTS:
    void histogramsHoldEveryValueBetweenRoundEdges()
    {
        std::vector<double> spread;
        for (int i = 0; i < 100; ++i)
            spread.push_back(0.1 * i - 3.05);
        checkHistogram(spread, 12);
        checkHistogram({2.0, 2.0, 2.0}, 12);          // one value: one bin around it
        checkHistogram({0.0, 1.0, 2.0, 3.0, 4.0}, 4); // the maximum on an edge
        checkHistogram({-1e-4, 3e-4, 2e-4}, 8);       // tiny margins keep distinct labels
        std::mt19937 rng(3);
        std::normal_distribution<double> normal(1.5, 4.0);
        std::vector<double> many;
        for (int i = 0; i < 5000; ++i)
            many.push_back(normal(rng));
        checkHistogram(many, 12);
        // Round edges: every edge is a whole number of steps from zero.
        const Histogram h = histogram(spread, 12);
        const double step = h.edges[1] - h.edges[0];
        QCOMPARE(niceStep(step), step);
        QVERIFY(std::abs(h.edges[0] / step - std::round(h.edges[0] / step)) < 1e-6);
        QVERIFY(histogram({}, 12).counts.empty());
    }

    void countAxesTickWholeNumbers()
    {
        for (double top : {1.0, 3.0, 7.0, 14.0, 630.0, 12345.0}) {
            QValueAxis axis;
            setCountAxis(&axis, top);
            QCOMPARE(axis.min(), 0.0);
            QVERIFY(axis.max() >= top);
            const double interval = (axis.max() - axis.min()) / (axis.tickCount() - 1);
            QCOMPARE(interval, std::round(interval)); // never "1.4, 2.8"
            QVERIFY(axis.tickCount() <= 7);
            QCOMPARE(axis.labelFormat(), QStringLiteral("%d")); // never "6.3e+02"
        }
    }

    void datasetChartsLabelTheirBins()
    {
        std::vector<AnnotatedItem> items;
        for (int i = 0; i < 40; ++i) {
            AnnotatedItem it;
            it.candidates.resize(3);
            it.rewards = {float(i % 7) * 0.3f, -0.2f * float(i % 5), 0.05f * float(i)};
            it.ranks = {1, 2, 3};
            items.push_back(it);
        }
        DatasetCharts charts;
        charts.resize(1000, 700);
        charts.show();
        charts.update(items);
        QTest::qWait(50); // the charts redraw on a queued reset
        auto *rewards = qobject_cast<QCategoryAxis *>(charts.chart(0)->chart()->axes(Qt::Horizontal).front());
        QVERIFY(rewards);
        const QStringList edges = rewards->categoriesLabels();
        QVERIFY(edges.size() >= 2);
        const Histogram &h = charts.rewardHistogram()->bins();
        QCOMPARE(edges.front(), h.edgeLabel(0));
        QCOMPARE(edges.back(), h.edgeLabel(h.edges.size() - 1));
        for (const QString &e : edges)
            QVERIFY2(!e.contains(QChar(0x2026)), qPrintable(e)); // no "…"
        auto *y = qobject_cast<QValueAxis *>(charts.chart(0)->chart()->axes(Qt::Vertical).front());
        QCOMPARE(y->labelFormat(), QStringLiteral("%d"));

        // The accuracy chart's first bucket has a label that rich text keeps
        // (a "<0.25" was swallowed as a tag), and its values are percentages.
        auto *buckets = qobject_cast<QBarCategoryAxis *>(charts.chart(2)->chart()->axes(Qt::Horizontal).front());
        QVERIFY(buckets);
        // What the axis draws: its labels as rich text.
        const QString drawn = QTextDocumentFragment::fromHtml(buckets->at(0)).toPlainText();
        QVERIFY2(drawn.startsWith(QStringLiteral("0–0.25")), qPrintable(drawn));
        QVERIFY(QTextDocumentFragment::fromHtml(buckets->at(5)).toPlainText().startsWith(QStringLiteral("4+")));
        for (int r = 0; r < charts.accuracyByMargin()->rowCount(); ++r) {
            const double v = charts.accuracyByMargin()->index(r, 1).data().toDouble();
            QVERIFY(v >= 0 && v <= 100);
        }
        // The numbers behind the bars, for Copy data as TSV.
        const QString tsv = charts.rewardHistogram()->tsv("reward", "count");
        QVERIFY(tsv.startsWith("reward\tcount\n"));
        QCOMPARE(tsv.count('\n'), int(h.counts.size()) + 1);
    }

    void chartNumbersAsCsv()
    {
        QCOMPARE(tsvToCsv("a\tb\n1\tx, y\n2\tsaid \"hi\"\n"), QStringLiteral("a,b\n1,\"x, y\"\n2,\"said \"\"hi\"\"\"\n"));
        DatasetCharts charts;
        QStringList menu;
        for (QAction *a : charts.chart(3)->actions())
            menu << a->text();
        QVERIFY2(menu.contains("Save chart as…") && menu.contains("Copy data as TSV") && menu.contains("Save data as CSV…"),
                 qPrintable(menu.join(", ")));
    }

    void chartsSaveAtPrintResolution()
    {
        DatasetCharts charts;
        charts.resize(900, 600);
        charts.show();
        std::vector<AnnotatedItem> items(1);
        items[0].candidates.resize(2);
        items[0].rewards = {1.0f, -1.0f};
        items[0].ranks = {1, 2};
        charts.update(items);
        QTest::qWait(50);
        QChartView *view = charts.chart(0);
        const QSizeF logical = view->chart()->size();

        const QString png = m_tmp.filePath("rewards.png");
        QString error;
        QVERIFY2(saveChart(view, png, &error), qPrintable(error));
        const QImage image(png);
        QCOMPARE(image.width(), qRound(logical.width() * 300 / 96));
        QCOMPARE(image.height(), qRound(logical.height() * 300 / 96));
        QCOMPARE(std::lround(image.dotsPerMeterX() * 0.0254), 300L);

        const QString pdf = m_tmp.filePath("rewards.pdf");
        QVERIFY2(saveChart(view, pdf, &error), qPrintable(error));
        QFile p(pdf);
        QVERIFY(p.open(QIODevice::ReadOnly));
        QVERIFY(p.read(5) == "%PDF-");
#ifdef POLAR_HAVE_QT_SVG
        const QString svg = m_tmp.filePath("rewards.svg");
        QVERIFY2(saveChart(view, svg, &error), qPrintable(error));
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        QVERIFY(s.readAll().contains("<svg"));
#endif
        // An unknown format is refused by name, and nothing is left behind.
        const QString bmp = m_tmp.filePath("rewards.bmp");
        QVERIFY(!saveChart(view, bmp, &error));
        QVERIFY2(error.contains("rewards.bmp") && error.contains("PNG"), qPrintable(error));
        QVERIFY(!QFile::exists(bmp));
    }
};

QTEST_MAIN(TestCharts)
#include "test_charts.moc"
