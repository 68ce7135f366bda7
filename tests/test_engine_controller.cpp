// The engine thread as the GUI sees it: a newer request of a kind supersedes
// the one before (only the newest answer is passed on), item chunks are each
// passed on, and the pending counts and busy flag follow every request.
#include "engine/controller.h"
#include "preferences/project.h"
#include "preferences/project_scoring.h"
#include "util/files.h"
#include "test_support.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace polar;
using Kind = EngineController::Kind;

namespace {

CandidatesJob job(int candidates, const std::string &tag)
{
    CandidatesJob j;
    j.prompt = TextField::fromString("What is the capital of China?");
    j.reference = TextField::fromString("Beijing.");
    for (int i = 0; i < candidates; ++i)
        j.candidates.emplace_back(i + 1, TextField::fromString(tag + " answer number " + std::to_string(i)));
    return j;
}

} // namespace

class TestEngineController : public QObject
{
    Q_OBJECT

    EngineController m_engine;

private Q_SLOTS:
    void initTestCase()
    {
        QSignalSpy loaded(&m_engine, &EngineController::modelLoaded);
        m_engine.loadModel(QString::fromStdString(testdata::tinyModel()), Device::Cpu, ComputeDType::F32);
        QCOMPARE(m_engine.pending(Kind::Load), 1);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(m_engine.pending(Kind::Load), 0);
        QVERIFY(m_engine.hasModel());
    }

    void newerScoreSupersedesOlder()
    {
        QSignalSpy finished(&m_engine, &EngineController::scoreFinished);
        QSignalSpy failed(&m_engine, &EngineController::scoreFailed);
        QSignalSpy busy(&m_engine, &EngineController::busyChanged);
        m_engine.score(job(64, "old"));
        m_engine.score(job(3, "new"));
        QCOMPARE(m_engine.pending(Kind::Score), 2);
        QVERIFY(m_engine.busy());
        QTRY_COMPARE_WITH_TIMEOUT(m_engine.pending(Kind::Score), 0, 30000);
        // Only the newest request's answer arrives; the older one ends unseen.
        QCOMPARE(finished.size(), 1);
        QCOMPARE(failed.size(), 0);
        const auto result = finished.first().first().value<CandidatesResult>();
        QCOMPARE(result.candidates.size(), size_t(3));
        QCOMPARE(QString::fromStdString(result.candidates[0].second.encodedText).contains("new answer"), true);
        QVERIFY(!m_engine.busy());
        QCOMPARE(busy.last().first().toBool(), false);
    }

    void itemChunksAreEachPassedOn()
    {
        QTemporaryDir dir;
        const std::string data = dir.filePath("d.jsonl").toStdString();
        writeFileAtomically(data, "{\"prompt\":\"P1\",\"reference\":\"R\",\"outputs\":[\"a\",\"b\"]}\n"
                                  "{\"prompt\":\"P2\",\"reference\":\"R\",\"outputs\":[\"c\",\"d\"]}\n");
        auto project = PreferenceProject::openForDataset(data);
        QSignalSpy scored(&m_engine, &EngineController::itemsScored);
        m_engine.scoreItems(scoringRequest(*project, {0}), {});
        m_engine.scoreItems(scoringRequest(*project, {1}), {});
        QCOMPARE(m_engine.pending(Kind::Items), 2);
        QTRY_COMPARE_WITH_TIMEOUT(scored.size(), 2, 30000);
        QCOMPARE(scored[0].first().value<ItemsResult>().items[0].item, size_t(0));
        QCOMPARE(scored[1].first().value<ItemsResult>().items[0].item, size_t(1));
        QCOMPARE(m_engine.pending(Kind::Items), 0);
    }

    void cancelEndsTheRunningJobAsCancelled()
    {
        QSignalSpy failed(&m_engine, &EngineController::scoreFailed);
        m_engine.score(job(400, "long"));
        m_engine.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(m_engine.pending(Kind::Score), 0, 30000);
        // Either it was cancelled before it ended, or it had finished: never both, never silent.
        if (failed.size() == 1)
            QCOMPARE(failed.first().first().toString(), QString("Scoring was cancelled."));
    }

    void failureIsReportedOnce()
    {
        QSignalSpy failed(&m_engine, &EngineController::scoreFailed);
        CandidatesJob bad = job(2, "bad");
        bad.settings.batchTokens = 0; // invalid: core refuses it
        m_engine.score(bad);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
        QVERIFY2(failed.first().first().toString().contains("batch_tokens"), qPrintable(failed.first().first().toString()));
        QCOMPARE(m_engine.pending(Kind::Score), 0);
    }
};

QTEST_MAIN(TestEngineController)
#include "test_engine_controller.moc"
