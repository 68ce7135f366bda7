// Dataset projects: import, the durable journal (SIGKILL between decisions),
// export strategies and formats against hand-computed pairs, and metrics
// against hand-computed values.
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "preferences/annotated_jsonl.h"
#include "preferences/export.h"
#include "preferences/metrics.h"
#include "preferences/project.h"
#include "preferences/project_scoring.h"
#include "test_support.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

using namespace polar;

namespace {

const char *kDataset =
    "{\"id\": 1, \"prompt\": \"Q1\", \"reference\": \"R1\", \"outputs\": [\"a\", \"b\", \"c\"]}\n"
    "not json at all\n"
    "{\"id\": 2, \"prompt\": \"Q2\", \"reference\": \"R2\", \"output\": \"single\"}\n"
    "\n"
    "{\"id\": 3, \"prompt\": [{\"role\": \"user\", \"content\": \"Q3\"}], \"reference\": \"R3\", \"chosen\": \"good\", \"rejected\": \"bad\"}\n"
    "{\"id\": 4, \"prompt\": \"Q4\", \"outputs\": [\"x\"]}\n"
    "{\"id\": 5, \"prompt\": \"Q5\", \"reference\": \"R5\", \"chosen\": \"only chosen\"}\n";

AnnotatedItem item(std::vector<std::string> texts, std::vector<int> ranks, std::vector<float> rewards)
{
    AnnotatedItem it;
    it.prompt = TextField::fromString("P");
    it.reference = TextField::fromString("R");
    for (const auto &t : texts)
        it.candidates.push_back(TextField::fromString(t));
    it.humanWritten.assign(texts.size(), false);
    it.ranks = std::move(ranks);
    it.rewards = std::move(rewards);
    return it;
}

std::vector<std::pair<std::string, std::string>> chosenRejected(const std::vector<PreferencePair> &pairs)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &p : pairs)
        out.emplace_back(p.chosen.flattened(), p.rejected.flattened());
    return out;
}

using StringPairs = std::vector<std::pair<std::string, std::string>>;

} // namespace

Q_DECLARE_METATYPE(polar::PairStrategy)
Q_DECLARE_METATYPE(StringPairs)

class TestPreferenceProject : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    std::string writeDataset(const char *name)
    {
        const std::string path = m_tmp.filePath(name).toStdString();
        writeFileAtomically(path, kDataset);
        return path;
    }

private Q_SLOTS:
    void importsAndReportsInvalidLines()
    {
        const std::string path = writeDataset("import.jsonl");
        const DatasetImport d = importDataset(path);
        QCOMPARE(d.records.size(), size_t(3));
        QCOMPARE(d.records[0].kind, DatasetRecord::Kind::Outputs);
        QCOMPARE(d.records[1].kind, DatasetRecord::Kind::Output);
        QCOMPARE(d.records[2].kind, DatasetRecord::Kind::ChosenRejected);
        QCOMPARE(d.records[2].line, size_t(5));
        QCOMPARE(QString::fromStdString(d.records[0].extraFields), QString("{\"id\":1}"));
        QCOMPARE(d.invalid.size(), size_t(3));
        QCOMPARE(d.invalid[0].line, size_t(2));
        QVERIFY(QString::fromStdString(d.invalid[0].reason).contains("not valid JSON"));
        QCOMPARE(d.invalid[1].line, size_t(6));
        QVERIFY(QString::fromStdString(d.invalid[1].reason).contains("missing field 'reference'"));
        QCOMPARE(d.invalid[2].line, size_t(7));
        QVERIFY(QString::fromStdString(d.invalid[2].reason).contains("'chosen' without 'rejected'"));
        QCOMPARE(QString::fromStdString(readWholeFile(path)), QString(kDataset)); // never modified
    }

    void annotationsPersistAndReplay()
    {
        const std::string path = writeDataset("persist.jsonl");
        {
            auto p = PreferenceProject::openForDataset(path);
            QCOMPARE(p->size(), size_t(3));
            QCOMPARE(p->status(0), ItemStatus::New);
            p->setRewards({p->rewardsForCurrent(0, {0.1f, 0.9f, 0.5f})}, "tiny");
            QCOMPARE(p->status(0), ItemStatus::Scored);
            Annotation a;
            a.decided = true;
            a.ranks = {3, 1, 2, 1};
            a.humanOutputs = {TextField::fromString("my better answer")};
            a.note = "close call";
            a.annotator = "ana";
            p->setAnnotation(0, a);
            Annotation skip;
            skip.skipped = true;
            p->setAnnotation(1, skip);
        }
        auto p = PreferenceProject::open(PreferenceProject::defaultProjectPath(path));
        QVERIFY_THROWS_EXCEPTION(Error, PreferenceProject::open(p->path())); // one writer at a time
        QCOMPARE(p->status(0), ItemStatus::Annotated);
        QCOMPARE(p->status(1), ItemStatus::Skipped);
        QCOMPARE(p->item(0).rewards, (std::vector<float>{0.1f, 0.9f, 0.5f}));
        QCOMPARE(p->candidates(0).size(), size_t(4));
        QCOMPARE(QString::fromStdString(p->candidates(0)[3].text), QString("my better answer"));
        QCOMPARE(QString::fromStdString(p->item(0).annotation.annotator), QString("ana"));
        QCOMPARE(p->effectiveRanks(2), (std::vector<int>{1, 2})); // chosen/rejected record's own order
        QCOMPARE(p->firstUnscored(), size_t(0)); // item 0 now has 4 candidates and 3 rewards
        QVERIFY(p->rewardsStale(0));
        QVERIFY(p->rewards(0).empty()); // never shown against the new candidates

        // A torn last line (a write that never finished) is dropped on open.
        const std::string journal = p->path();
        p.reset();
        writeFileAtomically(journal, readWholeFile(journal) + "{\"op\":\"annotation\",\"item\":1,\"annot");
        auto again = PreferenceProject::open(journal);
        QCOMPARE(again->status(1), ItemStatus::Skipped);
    }

    void aProjectFileIsNotADataset()
    {
        const std::string path = writeDataset("journal-as-dataset.jsonl");
        const std::string journal = PreferenceProject::defaultProjectPath(path);
        PreferenceProject::openForDataset(path);
        const std::string before = readWholeFile(journal);
        try {
            PreferenceProject::openForDataset(journal);
            QFAIL("a project file was opened as a dataset");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(journal) + ": is a project file"), e.what());
        }
        // Neither a project of the journal's lines nor a change to the journal.
        QVERIFY(!QFileInfo::exists(QString::fromStdString(PreferenceProject::defaultProjectPath(journal))));
        QCOMPARE(readWholeFile(journal), before);
    }

    void anotherModelsRewardsAreStale()
    {
        const std::string path = writeDataset("models.jsonl");
        auto p = PreferenceProject::openForDataset(path);
        p->setRewards({p->rewardsForCurrent(0, {0.1f, 0.9f, 0.5f}), p->rewardsForCurrent(2, {1.f, 2.f})}, "model-a");
        QCOMPARE(p->scoredCount(), size_t(2)); // no scoring model set: any model's rewards count
        p->setScoringModel("model-b");
        // Model A's rewards are never shown as model B's: stale, and scored again.
        QCOMPARE(p->scoredCount(), size_t(0));
        QVERIFY(p->rewards(0).empty());
        QVERIFY(p->rewardsStale(0) && p->rewardsFromOtherModel(0));
        QVERIFY(!p->rewardsFromOtherModel(1)); // never scored at all
        QCOMPARE(p->status(0), ItemStatus::New);
        size_t cursor = 0;
        QCOMPARE(nextUnscoredChunk(*p, cursor, 10), (std::vector<size_t>{0, 1, 2}));
        p->setRewards({p->rewardsForCurrent(2, {3.f, 4.f})}, "model-b");
        QVERIFY(p->hasRewards(2));
        QCOMPARE(p->rewards(2), (std::vector<float>{3.f, 4.f}));
        // Back to model A: its item 0 is fresh again, item 2 is now B's.
        p->setScoringModel("model-a");
        QVERIFY(p->hasRewards(0));
        QVERIFY(!p->hasRewards(2) && p->rewardsFromOtherModel(2));
    }

    void timeSpentIsLoggedPerAnnotator()
    {
        const std::string path = writeDataset("time.jsonl");
        {
            auto p = PreferenceProject::openForDataset(path);
            p->addTime(0, "ana", 12.5);
            p->addTime(0, "ana", 7.5);
            p->addTime(1, "ana", 30);
            p->addTime(0, "ben", 4);
            QVERIFY_THROWS_EXCEPTION(Error, p->addTime(0, "ana", -1));
            QVERIFY_THROWS_EXCEPTION(Error, p->addTime(0, "ana", 7200)); // an hour at most per entry
            QVERIFY_THROWS_EXCEPTION(Error, p->addTime(0, "ana", std::nan("")));
        }
        auto p = PreferenceProject::open(PreferenceProject::defaultProjectPath(path));
        QCOMPARE(p->item(0).seconds.at("ana"), 20.0); // replayed from the journal
        QCOMPARE(p->item(0).seconds.at("ben"), 4.0);
        p->compact();
        p.reset();
        p = PreferenceProject::open(PreferenceProject::defaultProjectPath(path));
        QCOMPARE(p->item(0).seconds.at("ana"), 20.0); // and kept by compaction
        // ana: items 0 and 1 took 20 s and 30 s; ben one item of 4 s.
        const auto times = annotatorTimes(p->annotatedItems());
        QCOMPARE(times.size(), size_t(2));
        QCOMPARE(QString::fromStdString(times[0].annotator), QStringLiteral("ana"));
        QCOMPARE(times[0].items, size_t(2));
        QCOMPARE(times[0].total, 50.0);
        QCOMPARE(times[0].mean, 25.0);
        QCOMPARE(times[0].median, 25.0);
        QCOMPARE(times[1].items, size_t(1));
        QVERIFY(QString::fromStdString(describeAnnotatorTimes(times)).contains("ana: 2 items, 50 s in all, 25.0 s per item"));
        // The annotated export carries the time, and reads it back.
        const std::string annotated = path + ".annotated.jsonl";
        writeAnnotatedJsonl(annotated, p->annotatedItems());
        const auto back = readAnnotatedJsonl(annotated);
        QCOMPARE(back[0].seconds.at("ben"), 4.0);
        // A negative time in a journal is damage named by its line, never a silent skip.
        const std::string journal = p->path();
        p.reset();
        writeFileAtomically(journal, readWholeFile(journal) + "{\"op\":\"time\",\"line\":1,\"annotator\":\"x\",\"seconds\":-3}\n");
        try {
            PreferenceProject::open(journal, PreferenceProject::Mode::ReadOnly);
            QFAIL("a damaged journal opened as if whole");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("1 damaged line") && QString(e.what()).contains("field 'seconds'"), e.what());
        }
        auto salvaged = PreferenceProject::open(journal, PreferenceProject::Mode::Salvage);
        QCOMPARE(salvaged->item(0).seconds.at("ana"), 20.0); // the good lines are all there
    }

    void shownOrderAndPositionBias()
    {
        const std::string path = writeDataset("shown.jsonl");
        auto p = PreferenceProject::openForDataset(path);
        Annotation a;
        a.decided = true;
        a.ranks = {2, 1, 3};
        a.shownOrder = {1, 0, 2}; // the best (candidate 1) was shown first
        p->setAnnotation(0, a);
        Annotation bad = a;
        bad.shownOrder = {1, 1, 2};
        QVERIFY_THROWS_EXCEPTION(Error, p->setAnnotation(0, bad)); // not an order
        bad.shownOrder = {0, 1, 7};
        QVERIFY_THROWS_EXCEPTION(Error, p->setAnnotation(0, bad));
        const std::string journal = p->path();
        p.reset();
        p = PreferenceProject::open(journal);
        QCOMPARE(p->item(0).annotation.shownOrder, (std::vector<size_t>{1, 0, 2}));
        // One item, 3 candidates, the best shown first: 100% against 1/3 by chance.
        const PositionBias b = positionBias(p->annotatedItems());
        QCOMPARE(b.items, size_t(1));
        QCOMPARE(b.bestShownFirst, 1.0);
        QVERIFY(std::abs(b.expected - 1.0 / 3) < 1e-12);
        QVERIFY(QString::fromStdString(b.describe()).contains("100.0% of 1 item (33.3% expected by chance)"));
        // The annotated export keeps the order.
        const std::string annotated = path + ".annotated.jsonl";
        writeAnnotatedJsonl(annotated, p->annotatedItems());
        QCOMPARE(readAnnotatedJsonl(annotated)[0].shownOrder, (std::vector<size_t>{1, 0, 2}));
    }

    void killedWriterLosesNoSavedDecision()
    {
        const std::string path = writeDataset("killed.jsonl");
        PreferenceProject::openForDataset(path); // create the journal
        QProcess child;
        child.start(POLAR_PROJECT_CHILD, {QString::fromStdString(PreferenceProject::defaultProjectPath(path))});
        QVERIFY(child.waitForStarted());
        QByteArray out;
        while (!out.contains("saved 40\n")) {
            QVERIFY2(child.waitForReadyRead(30000), out.constData());
            out += child.readAllStandardOutput();
        }
        ::kill(pid_t(child.processId()), SIGKILL); // mid-stream: it keeps writing until killed
        QVERIFY(child.waitForFinished(10000));
        out += child.readAllStandardOutput();
        int lastSaved = 0;
        for (const QByteArray &line : out.split('\n'))
            if (line.startsWith("saved "))
                lastSaved = line.mid(6).toInt();
        QVERIFY(lastSaved >= 40);
        auto p = PreferenceProject::open(PreferenceProject::defaultProjectPath(path), PreferenceProject::Mode::ReadOnly);
        // Every decision the child reported saved is there (k cycles over items).
        const Annotation &a = p->item(size_t((lastSaved - 1) % 3)).annotation;
        QVERIFY(a.decided);
        QVERIFY2(std::stoi(a.note) >= lastSaved - 2, a.note.c_str());
    }

    void strategies_data()
    {
        QTest::addColumn<polar::PairStrategy>("strategy");
        QTest::addColumn<StringPairs>("expected");
        QTest::newRow("all") << PairStrategy::AllPairs
                             << StringPairs{{"B", "A"}, {"B", "C"}, {"B", "D"}, {"A", "C"}, {"A", "D"}};
        QTest::newRow("best-vs-rest") << PairStrategy::BestVsRest << StringPairs{{"B", "A"}, {"B", "C"}, {"B", "D"}};
        QTest::newRow("adjacent") << PairStrategy::Adjacent << StringPairs{{"B", "A"}, {"A", "C"}, {"A", "D"}};
        QTest::newRow("best-vs-worst") << PairStrategy::BestVsWorst << StringPairs{{"B", "C"}, {"B", "D"}};
    }

    void strategies()
    {
        QFETCH(polar::PairStrategy, strategy);
        QFETCH(StringPairs, expected);
        ExportOptions o;
        o.strategy = strategy;
        ExportSummary s;
        const auto items = {item({"A", "B", "C", "D"}, {2, 1, 3, 3}, {0.5f, 0.2f, 0.9f, -1.f})};
        QCOMPARE(chosenRejected(collectPairs(items, o, s)), expected);
    }

    void filtersAndDuplicates()
    {
        const std::vector<AnnotatedItem> items = {item({"A", "B", "C", "D"}, {2, 1, 3, 3}, {0.5f, 0.2f, 0.9f, -1.f}),
                                                  item({"A", "B", "C", "D"}, {2, 1, 3, 3}, {0.5f, 0.2f, 0.9f, -1.f})};
        ExportOptions o;
        o.minMargin = 0.5;
        ExportSummary s;
        QCOMPARE(chosenRejected(collectPairs(items, o, s)), (StringPairs{{"B", "D"}, {"A", "D"}}));
        QCOMPARE(s.duplicatePairsRemoved, size_t(2)); // the second item repeats the first
        QCOMPARE(s.droppedPairs["reward margin below the minimum"], size_t(6));
        ExportOptions hard;
        hard.hardOnly = true;
        ExportSummary h;
        QCOMPARE(chosenRejected(collectPairs({items[0]}, hard, h)), (StringPairs{{"B", "A"}, {"B", "C"}, {"A", "C"}}));
        // Skipped, flagged, unranked and none-acceptable items give nothing, with reasons.
        auto skipped = items[0];
        skipped.skipped = true;
        auto none = items[0];
        none.noneAcceptable = true;
        auto unranked = item({"x", "y"}, {}, {});
        ExportSummary r;
        QVERIFY(collectPairs({skipped, none, unranked}, {}, r).empty());
        QCOMPARE(r.skippedItems.size(), size_t(3));
        // None acceptable but a written answer ranked first: pairs from it.
        auto written = items[0];
        written.noneAcceptable = true;
        written.candidates.push_back(TextField::fromString("W"));
        written.humanWritten.push_back(true);
        written.ranks = {2, 2, 2, 2, 1};
        written.rewards.clear();
        ExportSummary w;
        QCOMPARE(collectPairs({written}, {}, w).size(), size_t(4));
    }

    void exportedFileReadsBackFieldByField()
    {
        auto it = item({"good answer", "bad answer"}, {1, 2}, {1.f, 0.f});
        it.prompt = TextField::fromMessages({{"system", "S"}, {"user", "U"}});
        const std::string path = m_tmp.filePath("train.jsonl").toStdString();
        for (PairFormat f : {PairFormat::Polar, PairFormat::Trl, PairFormat::TrlText}) {
            ExportOptions o;
            o.format = f;
            const ExportSummary s = exportPairs({it}, path, o);
            QCOMPARE(s.pairs, size_t(1));
            const auto lines = readJsonl(path);
            QCOMPARE(lines.size(), size_t(1));
            const Json &j = lines[0].value;
            if (f == PairFormat::Polar) {
                QCOMPARE(j["prompt"].size(), size_t(2));
                QCOMPARE(j["prompt"][1]["role"].get<std::string>(), std::string("user"));
                QCOMPARE(j["reference"][0]["content"].get<std::string>(), std::string("R"));
                QCOMPARE(j["chosen"][0]["role"].get<std::string>(), std::string("assistant"));
                QCOMPARE(j["chosen"][0]["content"].get<std::string>(), std::string("good answer"));
                QCOMPARE(j["rejected"][0]["content"].get<std::string>(), std::string("bad answer"));
            } else if (f == PairFormat::Trl) {
                // Conversational: the prompt keeps its turns and roles, answers are assistant turns.
                QVERIFY(!j.contains("reference"));
                QCOMPARE(j["prompt"].size(), size_t(2));
                QCOMPARE(j["prompt"][0]["role"].get<std::string>(), std::string("system"));
                QCOMPARE(j["chosen"][0]["role"].get<std::string>(), std::string("assistant"));
                QCOMPARE(j["rejected"][0]["content"].get<std::string>(), std::string("bad answer"));
            } else {
                QCOMPARE(j["prompt"].get<std::string>(), std::string("S\nU\n")); // ends with the separator
                QCOMPARE(j["chosen"].get<std::string>(), std::string("good answer"));
            }
        }
        writeFileAtomically(path, "{\"prompt\": \"x\"}\n");
        QVERIFY_THROWS_EXCEPTION(Error, validatePairsFile(path, PairFormat::Trl, 1));
    }

    void metricsMatchHandComputed()
    {
        // Human: a > b > c. Model: b > a > c. Pairs (a,b) wrong, (a,c), (b,c) right.
        const ItemAgreement a = itemAgreement({1, 2, 3}, {0.5f, 0.9f, 0.1f});
        QCOMPARE(a.pairs, 3);
        QCOMPARE(a.agreeing, 2);
        QVERIFY(std::fabs(*a.kendallTau - 1.0 / 3.0) < 1e-12);
        QVERIFY(disagreesWithModel({1, 2, 3}, {0.5f, 0.9f, 0.1f}));
        // Ties: tau-b with one tie on each side.
        QVERIFY(std::fabs(*kendallTauB({1, 1, 2}, {1, 2, 2}) - 0.5) < 1e-12);

        std::vector<AnnotatedItem> items = {item({"a", "b", "c"}, {1, 2, 3}, {0.5f, 0.9f, 0.1f}),
                                            item({"g", "b"}, {1, 2}, {2.f, 1.f})};
        items[1].kind = DatasetRecord::Kind::ChosenRejected;
        const AgreementReport r = agreementReport(items);
        QCOMPARE(r.pairs, 4);
        QCOMPARE(r.agreeing, 3);
        QVERIFY(std::fabs(r.meanKendallTau - (1.0 / 3.0 + 1.0) / 2) < 1e-12);
        QCOMPARE(r.chosenRejectedItems, 1);
        QCOMPARE(r.rewardBenchAccuracy(), 1.0);

        // Cohen's kappa: 6 pairs, 5 agree; marginals 3/3 and 2/4 -> expected 1/2, kappa 2/3.
        const std::vector<AnnotatedItem> first = {item({"a", "b", "c"}, {1, 2, 3}, {}), item({"a", "b", "c"}, {3, 2, 1}, {})};
        const std::vector<AnnotatedItem> second = {item({"a", "b", "c"}, {1, 3, 2}, {}), item({"a", "b", "c"}, {3, 2, 1}, {})};
        const AnnotatorAgreement k = annotatorAgreement(first, second);
        QCOMPARE(k.pairs, 6);
        QVERIFY(std::fabs(k.observed - 5.0 / 6.0) < 1e-12);
        QVERIFY(std::fabs(k.kappa - 2.0 / 3.0) < 1e-12);
        QCOMPARE(k.conflicts.size(), size_t(1));
        QCOMPARE(k.conflicts[0].a, size_t(1));
        QCOMPARE(k.conflicts[0].b, size_t(2));
    }

    void annotatedJsonlRoundTrip()
    {
        const std::string path = writeDataset("roundtrip.jsonl");
        auto p = PreferenceProject::openForDataset(path);
        p->setRewards({p->rewardsForCurrent(0, {0.3f, 0.2f, 0.1f}), p->rewardsForCurrent(2, {1.f, 2.f})}, "tiny");
        Annotation a;
        a.decided = true;
        a.ranks = {1, 1, 2};
        a.flagged = false;
        a.note = "tie on top";
        a.annotator = "bo";
        p->setAnnotation(0, a);
        const std::string annotated = m_tmp.filePath("annotated.jsonl").toStdString();
        writeAnnotatedJsonl(annotated, p->annotatedItems());
        const auto back = readAnnotatedJsonl(annotated);
        QCOMPARE(back.size(), size_t(3));
        QCOMPARE(back[0].ranks, (std::vector<int>{1, 1, 2}));
        QCOMPARE(back[0].rewards, (std::vector<float>{0.3f, 0.2f, 0.1f}));
        QCOMPARE(QString::fromStdString(back[0].note), QString("tie on top"));
        QCOMPARE(QString::fromStdString(back[0].extraFields), QString("{\"id\":1}")); // other fields travel
        QCOMPARE(back[2].ranks, (std::vector<int>{1, 2}));
        // The same pairs either way.
        ExportSummary s1, s2;
        QCOMPARE(chosenRejected(collectPairs(p->annotatedItems(), {}, s1)), chosenRejected(collectPairs(back, {}, s2)));
    }
};

QTEST_GUILESS_MAIN(TestPreferenceProject)
#include "test_preference_project.moc"
