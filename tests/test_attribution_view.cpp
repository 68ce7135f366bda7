// The token-contribution view rendered offscreen: colours follow the values,
// granularity regroups, compare mode explains a gap, exports are written.
#include "attribution/models.h"
#include "attribution/view.h"
#include "attribution/heatmap_browser.h"
#include "workbench/main_window.h"
#include "workbench/workspace_document.h"
#include "test_support.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace polar;

class TestAttributionView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<MainWindow> m_window;

    bool runAndWait(AttributionView *view)
    {
        QSignalSpy done(view, &AttributionView::finished);
        view->run();
        return done.wait(60000) && done.first().first().toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_window = std::make_unique<MainWindow>(m_tmp.filePath("recovery.json"));
        m_window->show();
        QSignalSpy ready(m_window.get(), &MainWindow::modelReady);
        m_window->loadModel(QString::fromStdString(testdata::tinyModel()));
        QVERIFY(ready.wait(30000));
        m_window->loadSeedExample();
        QSignalSpy scored(m_window.get(), &MainWindow::scoringDone);
        m_window->score();
        QVERIFY(scored.wait(30000));
        m_window->selectCandidate(m_window->document()->candidateAt(3).id);
    }

    void cleanupTestCase()
    {
        m_window->discardRecovery();
        m_window.reset();
    }

    void coloursFollowValues()
    {
        AttributionView *view = m_window->attributionView();
        view->setMethod(AttributionMethod::GradientTimesInput);
        view->setGranularity(Granularity::Token);
        QVERIFY(runAndWait(view));
        const auto &spans = view->outputSpans()->spans();
        QVERIFY(spans.size() > 20);
        QVERIFY(view->referenceSpans()->rowCount() > 20); // the reference is attributed too
        // The most positive span is painted blue, the most negative red.
        auto maxIt = std::max_element(spans.begin(), spans.end(), [](auto &a, auto &b) { return a.value < b.value; });
        auto minIt = std::min_element(spans.begin(), spans.end(), [](auto &a, auto &b) { return a.value < b.value; });
        HeatmapBrowser *out = view->outputView();
        QCOMPARE(out->spanCount(), int(spans.size()));
        const double scale = std::max({view->outputSpans()->maxAbsValue(), view->referenceSpans()->maxAbsValue()});
        const QColor high = contributionColor(maxIt->value, scale), low = contributionColor(minIt->value, scale);
        QVERIFY(high.blue() > high.red());
        QVERIFY(low.red() > low.blue());
        bool sawHigh = false, sawLow = false;
        for (int p = 0; p < out->document()->characterCount() - 1; ++p) {
            const QColor c = out->colorAt(p);
            sawHigh = sawHigh || c == high;
            sawLow = sawLow || c == low;
        }
        QVERIFY(sawHigh && sawLow);
    }

    void granularityRegroups()
    {
        AttributionView *view = m_window->attributionView();
        view->setGranularity(Granularity::Token);
        const int tokens = view->outputSpans()->rowCount();
        double tokenSum = 0;
        for (const auto &s : view->outputSpans()->spans())
            tokenSum += s.value;
        view->setGranularity(Granularity::Word);
        const int words = view->outputSpans()->rowCount();
        double wordSum = 0;
        for (const auto &s : view->outputSpans()->spans())
            wordSum += s.value;
        QVERIFY(words < tokens);
        QVERIFY(std::fabs(wordSum - tokenSum) < 1e-6);
        view->setGranularity(Granularity::Sentence);
        QVERIFY(view->outputSpans()->rowCount() < words);
    }

    void compareModeExplainsTheGap()
    {
        AttributionView *view = m_window->attributionView();
        view->setMethod(AttributionMethod::GradientTimesInput);
        view->setCompareWith(m_window->document()->candidateAt(5).id);
        QVERIFY(runAndWait(view));
        QVERIFY2(view->summary().contains("Gap"), qPrintable(view->summary()));
        view->setCompareWith(0);
    }

    void curveAndExports()
    {
        AttributionView *view = m_window->attributionView();
        view->setMethod(AttributionMethod::RewardCurve);
        QVERIFY(runAndWait(view));
        const auto *c = m_window->document()->candidateAt(3).score ? &*m_window->document()->candidateAt(3).score : nullptr;
        QVERIFY(c);
        const int rows = view->curve()->rowCount();
        QVERIFY(rows > 10);
        QVERIFY(std::fabs(view->curve()->index(rows - 1, RewardCurveModel::Reward).data().toDouble() - c->reward) < 1e-4);

        const QString html = m_tmp.filePath("view.html");
        QVERIFY(view->exportHtml(html));
        QFile f(html);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.startsWith("<!DOCTYPE html>"));
        QVERIFY(text.contains("<span title='"));
        QVERIFY(text.contains("Reward curve"));
        // The export names what was explained and how.
        const QString prompt = QString::fromStdString(m_window->document()->workspace().prompt.flattened()).toHtmlEscaped();
        QVERIFY(text.contains("<h2>Prompt</h2>"));
        QVERIFY(text.contains(prompt.left(40)));
        QVERIFY(text.contains("Reward curve</td>") || text.contains(">Method<"));
        QVERIFY(text.contains("tiny-polar"));

        // The PNG is drawn from the results at twice a 900-pixel page, not
        // grabbed from the window (whose width is whatever the screen gave).
        const QString png = m_tmp.filePath("view.png");
        QVERIFY(view->exportPng(png));
        QCOMPARE(QImage(png).width(), 1800);
        QVERIFY(QImage(png).height() > 200);
    }

    void clickingTheCurveFindsTheToken()
    {
        AttributionView *view = m_window->attributionView();
        view->setMethod(AttributionMethod::RewardCurve);
        QVERIFY(runAndWait(view));
        const int row = 5;
        view->showCurvePoint(row);
        const QString marked = view->outputView()->highlightedText();
        QVERIFY(!marked.isEmpty());
        QVERIFY2(view->curvePointText().contains(QStringLiteral("After 5 output tokens")), qPrintable(view->curvePointText()));
        QVERIFY(view->curvePointText().contains(marked.toHtmlEscaped()));
        const QString reward = QString::number(view->curve()->index(row, RewardCurveModel::Reward).data().toDouble(), 'f', 4);
        QVERIFY2(view->curvePointText().contains(reward), qPrintable(view->curvePointText()));
    }

    void occlusionUnderANewGranularityIsMarkedStale()
    {
        AttributionView *view = m_window->attributionView();
        view->setMethod(AttributionMethod::Occlusion);
        view->setGranularity(Granularity::Sentence);
        QVERIFY(runAndWait(view));
        QVERIFY(view->staleReason().isEmpty());
        const int sentences = view->outputSpans()->rowCount();
        view->setGranularity(Granularity::Word);
        // Occlusion's values belong to the units it removed: they are not
        // regrouped, and the view says so until Explain runs again.
        QCOMPARE(view->outputSpans()->rowCount(), sentences);
        QVERIFY2(view->staleReason().contains("sentences, not words"), qPrintable(view->staleReason()));
        QVERIFY(runAndWait(view));
        QVERIFY(view->staleReason().isEmpty());
        QVERIFY(view->outputSpans()->rowCount() > sentences);
    }

    void editingTheCandidateMarksResultsStale()
    {
        AttributionView *view = m_window->attributionView();
        view->setMethod(AttributionMethod::GradientTimesInput);
        QVERIFY(runAndWait(view));
        QVERIFY(view->staleReason().isEmpty());
        WorkspaceDocument *doc = m_window->document();
        const int64_t id = doc->candidateAt(3).id;
        const auto before = doc->candidateAt(3).text;
        doc->setCandidateText(id, TextField::fromString(before.flattened() + " Extra."));
        QVERIFY2(view->staleReason().contains("candidate was edited"), qPrintable(view->staleReason()));
        doc->setCandidateText(id, before);
        QVERIFY(view->staleReason().isEmpty());
    }
};

QTEST_MAIN(TestAttributionView)
#include "test_attribution_view.moc"
