// A user's annotations are the most valuable thing the app holds. Every way a
// careful user, a crash, a full disk or a second process could make a decision
// land on the wrong record, vanish, or overwrite something: each one here.
#include "preferences/annotated_jsonl.h"
#include "preferences/annotator_merge.h"
#include "preferences/export.h"
#include "preferences/metrics.h"
#include "preferences/project.h"
#include "util/error.h"
#include "util/files.h"
#include "util/jsonl.h"
#include "test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace polar;

namespace {

// Q1 has a good and a bad answer; the annotator prefers "bad1" (their call).
const char *kTwoQuestions = "{\"id\":\"q1\",\"prompt\":\"Q1\",\"reference\":\"R1\",\"outputs\":[\"good1\",\"bad1\"]}\n"
                            "{\"id\":\"q2\",\"prompt\":\"Q2\",\"reference\":\"R2\",\"outputs\":[\"good2\",\"bad2\"]}\n"
                            "{\"id\":\"q3\",\"prompt\":\"Q3\",\"reference\":\"R3\",\"outputs\":[\"good3\",\"bad3\"]}\n";

Annotation ranked(std::vector<int> ranks, const std::string &note = {})
{
    Annotation a;
    a.decided = true;
    a.ranks = std::move(ranks);
    a.note = note;
    a.annotator = "ana";
    return a;
}

AnnotatedItem item(std::vector<TextField> texts, std::vector<int> ranks)
{
    AnnotatedItem it;
    it.line = 1;
    it.prompt = TextField::fromString("P");
    it.reference = TextField::fromString("R");
    it.candidates = std::move(texts);
    it.humanWritten.assign(it.candidates.size(), false);
    it.ranks = std::move(ranks);
    return it;
}

std::vector<TextField> strings(std::initializer_list<const char *> s)
{
    std::vector<TextField> out;
    for (const char *x : s)
        out.push_back(TextField::fromString(x));
    return out;
}

std::vector<std::pair<std::string, std::string>> texts(const std::vector<PreferencePair> &pairs)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &p : pairs)
        out.emplace_back(p.chosen.flattened(), p.rejected.flattened());
    return out;
}

template <typename F>
QString errorOf(F &&f)
{
    try {
        f();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestPreferenceSafety : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    std::string path(const char *name) { return m_tmp.filePath(name).toStdString(); }
    std::string dataset(const char *name, const std::string &text = kTwoQuestions)
    {
        const std::string p = path(name);
        writeFileAtomically(p, text);
        return p;
    }

private Q_SLOTS:
    // ---- identity: a decision never lands on another record -------------------

    void changedDatasetIsRefusedAndNothingWritten()
    {
        const std::string data = dataset("changed.jsonl");
        {
            auto p = PreferenceProject::openForDataset(data);
            p->setAnnotation(0, ranked({2, 1}, "prefers bad1"));
            p->setAnnotation(2, ranked({1, 2}));
        }
        const std::string journal = PreferenceProject::defaultProjectPath(data);
        const std::string before = readWholeFile(journal);
        // Line 1 goes bad: every later record would shift by one under positional ids.
        std::string text = kTwoQuestions;
        text.replace(0, 1, "#");
        writeFileAtomically(data, text);
        for (auto mode : {PreferenceProject::Mode::ReadWrite, PreferenceProject::Mode::ReadOnly, PreferenceProject::Mode::Salvage}) {
            const QString err = errorOf([&] { PreferenceProject::open(journal, mode); });
            QVERIFY2(err.contains("changed since the project"), qPrintable(err));
            QVERIFY2(err.contains("polar-cli reattach"), qPrintable(err));
        }
        QVERIFY_THROWS_EXCEPTION(DatasetChanged, PreferenceProject::openForDataset(data));
        QCOMPARE(readWholeFile(journal), before); // byte-identical
    }

    void skippedBadLinesKeepIdentities()
    {
        // A bad line from the start: items are keyed by line, so nothing shifts.
        const std::string data = dataset("badline.jsonl", std::string("not json\n") + kTwoQuestions);
        {
            auto p = PreferenceProject::openForDataset(data);
            QCOMPARE(p->size(), size_t(3));
            QCOMPARE(p->record(0).line, size_t(2));
            p->setAnnotation(1, ranked({2, 1}, "q2"));
        }
        auto p = PreferenceProject::open(PreferenceProject::defaultProjectPath(data), PreferenceProject::Mode::ReadOnly);
        QCOMPARE(QString::fromStdString(p->record(1).prompt.text), QString("Q2"));
        QCOMPARE(QString::fromStdString(p->item(1).annotation.note), QString("q2"));
        QVERIFY(!p->item(0).annotation.decided);
        // The journal says which line, not which position.
        QVERIFY(QString::fromStdString(readWholeFile(p->path())).contains("\"op\":\"annotation\",\"line\":3"));
    }

    void reattachFollowsContent()
    {
        const std::string data = dataset("reattach.jsonl");
        const std::string journal = PreferenceProject::defaultProjectPath(data);
        {
            auto p = PreferenceProject::openForDataset(data);
            p->setRewards({p->rewardsForCurrent(0, {0.5f, 1.5f})}, "tiny");
            p->setAnnotation(0, ranked({2, 1}, "prefers bad1"));
            p->setAnnotation(1, ranked({1, 2}, "q2"));
            p->setAnnotation(2, ranked({1, 2}, "q3"));
        }
        const std::string oldJournal = readWholeFile(journal);
        // Edited in place: q3 moves first, q2's outputs change, a new record arrives.
        writeFileAtomically(data, "{\"id\":\"q3\",\"prompt\":\"Q3\",\"reference\":\"R3\",\"outputs\":[\"good3\",\"bad3\"]}\n"
                                  "{\"id\":\"q0\",\"prompt\":\"Q0\",\"reference\":\"R0\",\"outputs\":[\"a\",\"b\"]}\n"
                                  "{\"id\":\"q1\",\"prompt\":\"Q1\",\"reference\":\"R1\",\"outputs\":[\"good1\",\"bad1\"]}\n"
                                  "{\"id\":\"q2\",\"prompt\":\"Q2\",\"reference\":\"R2\",\"outputs\":[\"good2\",\"worse2\"]}\n");
        QVERIFY_THROWS_EXCEPTION(DatasetChanged, PreferenceProject::open(journal));
        const ReattachReport r = reattachProject(journal, data, journal);
        QCOMPARE(r.matched, size_t(2));          // q3 and q1
        QCOMPARE(r.lostLines, std::vector<size_t>{2}); // q2 changed: its ranking is not carried onto new text
        QCOMPARE(r.newRecords, size_t(2));
        auto p = PreferenceProject::open(journal, PreferenceProject::Mode::ReadOnly);
        QCOMPARE(QString::fromStdString(p->item(0).annotation.note), QString("q3"));
        QCOMPARE(QString::fromStdString(p->item(2).annotation.note), QString("prefers bad1"));
        QCOMPARE(p->rewards(2), (std::vector<float>{0.5f, 1.5f}));
        QVERIFY(!p->item(1).annotation.decided);
        QVERIFY(!p->item(3).annotation.decided);
        // The old journal is kept, byte for byte, beside the new one.
        bool kept = false;
        for (const QString &f : QDir(m_tmp.path()).entryList({"reattach.polar-project.jsonl.before-reattach-*"}))
            kept = kept || readWholeFile(m_tmp.filePath(f).toStdString()) == oldJournal;
        QVERIFY(kept);
    }

    // ---- validation: counts, ranges and types from a file are checked -----------

    void journalValidationNamesLineAndField_data()
    {
        QTest::addColumn<QString>("event");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("ranks outnumber candidates") << R"({"op":"annotation","line":1,"annotation":{"decided":true,"ranks":[1,2,3,4,5,6,7,8]}})"
                                                    << "field 'ranks' has 8 values for 2 candidates";
        QTest::newRow("rank out of range") << R"({"op":"annotation","line":1,"annotation":{"decided":true,"ranks":[1,9]}})"
                                           << "field 'ranks[1]' is 9, outside 0..2";
        QTest::newRow("negative rank") << R"({"op":"annotation","line":1,"annotation":{"ranks":[-1,1]}})" << "'ranks[0]' is out of range";
        QTest::newRow("rank as string") << R"({"op":"annotation","line":1,"annotation":{"ranks":["1",2]}})"
                                        << "field 'ranks[0]' must be an integer, found string";
        QTest::newRow("huge count") << R"({"op":"annotation","line":1,"annotation":{"ranks":[1,2],"edits":[{"candidate":18446744073709551615,"text":"x"}]}})"
                                    << "out of range";
        QTest::newRow("edit past the outputs") << R"({"op":"annotation","line":1,"annotation":{"edits":[{"candidate":5,"text":"x"}]}})"
                                               << "an edit of candidate 5, but the record has 2 outputs";
        QTest::newRow("decided as string") << R"({"op":"annotation","line":1,"annotation":{"decided":"yes"}})"
                                           << "field 'decided' must be true or false, found string";
        QTest::newRow("rewards count") << R"({"op":"rewards","line":1,"rewards":[1,2,3]})" << "field 'rewards' has 3 values for 2 candidates";
        QTest::newRow("reward not finite") << R"({"op":"rewards","line":1,"rewards":[1e39,2]})" << "is not a finite reward";
        QTest::newRow("unknown line") << R"({"op":"annotation","line":99,"annotation":{}})" << "line 99 is not a record of the dataset";
        QTest::newRow("line as string") << R"({"op":"annotation","line":"1","annotation":{}})" << "field 'line' must be an integer, found string";
        QTest::newRow("unknown op") << R"({"op":"delete","line":1})" << "unknown event 'delete'";
        QTest::newRow("not json") << R"({"op":"annotation",)" << "not valid JSON";
        QTest::newRow("deep nesting") << QString(100000, '[') << "nested deeper than 64 levels";
    }

    void journalValidationNamesLineAndField()
    {
        QFETCH(QString, event);
        QFETCH(QString, mentions);
        const std::string name = "validate-" + QString(QTest::currentDataTag()).replace(' ', '-').toStdString();
        const std::string data = dataset((name + ".jsonl").c_str());
        {
            auto p = PreferenceProject::openForDataset(data);
            p->setAnnotation(1, ranked({1, 2}, "before"));
        }
        const std::string journal = PreferenceProject::defaultProjectPath(data);
        const std::string good = readWholeFile(journal);
        // The bad event in the middle, a good one after it.
        writeFileAtomically(journal, good + event.toStdString() + "\n"
                                         + R"({"op":"annotation","line":3,"annotation":{"decided":true,"ranks":[2,1],"note":"after"}})" + "\n");
        const QString err = errorOf([&] { PreferenceProject::open(journal); });
        QVERIFY2(err.contains(QString::fromStdString(journal) + ": 1 damaged line\n  line 3: "), qPrintable(err));
        QVERIFY2(err.contains(mentions), qPrintable(err));
        QVERIFY2(err.contains("repair-project"), qPrintable(err));
        // Salvage: everything else is there, and the damage is listed.
        auto salvaged = PreferenceProject::open(journal, PreferenceProject::Mode::Salvage);
        QCOMPARE(salvaged->damage().size(), size_t(1));
        QCOMPARE(salvaged->damage()[0].line, size_t(3));
        QCOMPARE(QString::fromStdString(salvaged->item(1).annotation.note), QString("before"));
        QCOMPARE(QString::fromStdString(salvaged->item(2).annotation.note), QString("after"));
        QVERIFY(!salvaged->writable());
        // Repair writes a new project, never over the damaged one.
        const std::string repaired = path((name + "-repaired.polar-project.jsonl").c_str());
        QVERIFY_THROWS_EXCEPTION(Error, repairProject(journal, journal));
        QCOMPARE(repairProject(journal, repaired).size(), size_t(1));
        auto fixed = PreferenceProject::open(repaired);
        QCOMPARE(QString::fromStdString(fixed->item(2).annotation.note), QString("after"));
        QVERIFY(fixed->damage().empty());
    }

    void annotatedJsonlIsValidated_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("mentions");
        const QString base = R"({"prompt":"P","reference":"R","outputs":["a","b"],)";
        QTest::newRow("ranks outnumber") << base + R"("human_rank":[1,2,3]})" << "field 'human_rank' has 3 values for 2 outputs";
        QTest::newRow("rank too big") << base + R"("human_rank":[1,7]})" << "field 'human_rank[1]' is 7, outside 0..2";
        QTest::newRow("rewards count") << base + R"("rewards":[0.5]})" << "field 'rewards' has 1 values for 2 outputs";
        QTest::newRow("written index") << base + R"("human_written":[4]})" << "field 'human_written[0]' is 4";
        QTest::newRow("flags type") << base + R"("flags":{"flagged":1}})" << "field 'flagged' must be true or false";
        QTest::newRow("reward overflow") << base + R"("rewards":[1e999,0]})" << "number out of range";
    }

    void annotatedJsonlIsValidated()
    {
        QFETCH(QString, line);
        QFETCH(QString, mentions);
        const std::string p = path("annotated-bad.jsonl");
        writeFileAtomically(p, line.toStdString() + "\n");
        const QString err = errorOf([&] { readAnnotatedJsonl(p); });
        QVERIFY2(err.startsWith(QString::fromStdString(p) + ":1: "), qPrintable(err));
        QVERIFY2(err.contains(mentions), qPrintable(err));
    }

    // ---- durability: failed saves, two writers -----------------------------------

    void failedSaveIsRolledBack()
    {
        const std::string data = dataset("diskfull.jsonl");
        auto p = PreferenceProject::openForDataset(data);
        p->setAnnotation(0, ranked({1, 2}, "saved"));
        const std::string before = readWholeFile(p->path());
        // A full disk, simulated: the file may grow by 40 bytes, then writes fail.
        struct rlimit old;
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
        auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = rlim_t(before.size() + 40);
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        const QString err = errorOf([&] { p->setAnnotation(1, ranked({2, 1}, std::string(500, 'n'))); });
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY2(err.contains("cannot save"), qPrintable(err));
        QCOMPARE(readWholeFile(p->path()), before); // no torn line left behind
        QVERIFY(!p->item(1).annotation.decided);   // not shown as saved either
        p->setAnnotation(1, ranked({2, 1}, "after the disk was freed"));
        p.reset();
        auto again = PreferenceProject::open(PreferenceProject::defaultProjectPath(data));
        QCOMPARE(QString::fromStdString(again->item(1).annotation.note), QString("after the disk was freed"));
    }

    void twoProcessesNeverBothWrite()
    {
        // Processes opening a new dataset at the same moment: exactly one holds it.
        for (int round = 0; round < 10; ++round) {
            const std::string data = dataset(("race" + std::to_string(round) + ".jsonl").c_str());
            int go[2], report[2], done[2];
            QCOMPARE(::pipe(go), 0);
            QCOMPARE(::pipe(report), 0);
            QCOMPARE(::pipe(done), 0);
            std::vector<pid_t> children;
            for (int c = 0; c < 4; ++c) {
                const pid_t pid = ::fork();
                if (pid == 0) {
                    char b;
                    ::close(go[1]);
                    ::close(done[1]);
                    if (::read(go[0], &b, 1) != 0)
                        ::_exit(3);
                    char result = 'n';
                    std::unique_ptr<PreferenceProject> p;
                    try {
                        p = PreferenceProject::openForDataset(data);
                        result = 'y';
                    } catch (...) {
                    }
                    if (::write(report[1], &result, 1) != 1)
                        ::_exit(3);
                    // Hold it until every process has tried.
                    if (::read(done[0], &b, 1) != 0)
                        ::_exit(3);
                    ::_exit(0);
                }
                children.push_back(pid);
            }
            ::close(go[0]);
            ::close(go[1]); // all start together
            ::close(report[1]);
            ::close(done[0]);
            int holders = 0, reports = 0;
            char r;
            while (reports < 4 && ::read(report[0], &r, 1) == 1) {
                holders += r == 'y';
                ++reports;
            }
            ::close(done[1]); // now they may let go
            ::close(report[0]);
            for (pid_t pid : children)
                ::waitpid(pid, nullptr, 0);
            QCOMPARE(holders, 1);
            auto p = PreferenceProject::open(PreferenceProject::defaultProjectPath(data)); // one well-formed project
            QCOMPARE(p->size(), size_t(3));
        }
    }

    void emptyAndDirectoryDatasetsAreErrors()
    {
        const std::string empty = dataset("empty.jsonl", "\n\n");
        QVERIFY(errorOf([&] { PreferenceProject::openForDataset(empty); }).contains("holds no records"));
        QVERIFY(!fileExists(PreferenceProject::defaultProjectPath(empty))); // no project left behind
        const std::string dir = path("folder.jsonl");
        QDir().mkpath(QString::fromStdString(dir));
        QVERIFY(errorOf([&] { PreferenceProject::openForDataset(dir); }).contains("is a directory"));
        QVERIFY(errorOf([&] { readAnnotatedJsonl(dir); }).contains("is a directory"));
    }

    // ---- stale rewards -----------------------------------------------------------

    void editedCandidatesLoseTheirRewards()
    {
        const std::string data = dataset("stale.jsonl");
        auto p = PreferenceProject::openForDataset(data);
        p->setRewards({p->rewardsForCurrent(0, {2.f, 1.f})}, "tiny");
        QVERIFY(p->hasRewards(0));
        Annotation a = ranked({1, 2});
        a.edits = {{1, TextField::fromString("bad1, edited")}};
        p->setAnnotation(0, a);
        QVERIFY(p->rewardsStale(0));
        QVERIFY(p->rewards(0).empty());
        // Filters on margins say why they drop the pair instead of using stale numbers.
        ExportOptions o;
        o.minMargin = 0.5;
        ExportSummary s;
        QVERIFY(collectPairs(p->annotatedItems(), o, s).empty());
        QCOMPARE(s.droppedPairs["rewards stale (edited since scoring, or another model's)"], size_t(1));
        QCOMPARE(s.staleItems, size_t(1)); // the item is named once, however many pairs it lost
        QVERIFY2(QString::fromStdString(s.describe()).contains("1 item to score again for the margin and hardness filters"), s.describe().c_str());
        ExportSummary unfiltered; // without a reward filter stale rewards do not matter to the export
        QCOMPARE(collectPairs(p->annotatedItems(), {}, unfiltered).size(), size_t(1));
        QCOMPARE(unfiltered.staleItems, size_t(0));
        // Agreement leaves the item out and says so, rather than quietly counting fewer items.
        const AgreementReport agreement = agreementReport(p->annotatedItems());
        QCOMPARE(agreement.items, 0);
        QCOMPARE(agreement.staleItems, 1);
        QVERIFY2(QString::fromStdString(agreement.describe()).contains("1 ranked item left out: rewards stale"),
                 agreement.describe().c_str());
        // Annotated JSONL: null rewards, marked stale, and it reads back for pairs and eval.
        const std::string annotated = path("stale-annotated.jsonl");
        writeAnnotatedJsonl(annotated, p->annotatedItems());
        const auto back = readAnnotatedJsonl(annotated);
        QVERIFY(back[0].rewards.empty());
        QVERIFY(back[0].rewardsStale);
        QCOMPARE(back[0].candidates[1].text, std::string("bad1, edited"));
        // Rewards that arrive for the old candidates after the edit are kept as stale, never shown.
        p->setRewards({{0, {5.f, 6.f}, candidatesHash(strings({"good1", "bad1"})), {}}}, "tiny");
        QVERIFY(p->rewardsStale(0));
        // Taking the edit back makes those rewards the current candidates' again; a written
        // answer makes them stale; all of it as the journal replays it too.
        Annotation undone = ranked({1, 2});
        p->setAnnotation(0, undone);
        QVERIFY(p->hasRewards(0));
        QCOMPARE(p->rewards(0), std::vector<float>({5.f, 6.f}));
        Annotation written = ranked({1, 2, 3});
        written.humanOutputs = {TextField::fromString("mine")};
        p->setAnnotation(0, written);
        QVERIFY(p->rewardsStale(0));
        QCOMPARE(p->rewardsForCurrent(0, {1.f, 2.f, 3.f}).candidatesHash, candidatesHash(strings({"good1", "bad1", "mine"})));
        const std::string journal = p->path();
        p.reset();
        auto reopened = PreferenceProject::open(journal, PreferenceProject::Mode::ReadOnly);
        QVERIFY(reopened->rewardsStale(0));
        QVERIFY(!reopened->hasRewards(1)); // never scored
        QCOMPARE(reopened->rewardsForCurrent(1, {1.f, 2.f}).candidatesHash, candidatesHash(reopened->candidates(1)));
    }

    // ---- exports -------------------------------------------------------------------

    void duplicatesAndContradictions()
    {
        ExportSummary s;
        // X ranked 1 and 3: contradictory, left out and reported; Y alone gives no pair.
        QVERIFY(collectPairs({item(strings({"X", "Y", "X"}), {1, 2, 3})}, {}, s).empty());
        QCOMPARE(s.contradictions.size(), size_t(1));
        QVERIFY2(QString::fromStdString(s.contradictions[0]).contains("outputs 0 and 2 are the same text ranked 1 and 3"),
                 s.contradictions[0].c_str());
        // The same text ranked alike (whitespace aside) merges into one candidate.
        ExportSummary m;
        const auto pairs = collectPairs({item(strings({"X", "Y", "  X\n"}), {1, 2, 1})}, {}, m);
        QCOMPARE(texts(pairs), (std::vector<std::pair<std::string, std::string>>{{"X", "Y"}}));
        QCOMPARE(m.duplicateOutputsMerged, size_t(1));
        // Never chosen == rejected.
        ExportSummary t;
        QVERIFY(collectPairs({item(strings({"same", "same "}), {1, 2})}, {}, t).empty());
        QCOMPARE(t.contradictions.size(), size_t(1));
    }

    void emptyTextsAndMissingRolesAreReported()
    {
        auto emptyOut = item(strings({"good", "   "}), {1, 2});
        auto emptyPrompt = item(strings({"a", "b"}), {1, 2});
        emptyPrompt.prompt = TextField::fromString(" \n");
        auto noRole = item({TextField::fromMessages({{"", "answer"}}), TextField::fromString("b")}, {1, 2});
        ExportSummary s;
        QVERIFY(collectPairs({emptyOut, emptyPrompt, noRole}, {}, s).empty());
        QCOMPARE(s.droppedPairs["an empty or whitespace-only output (left out of the ranking; --keep-empty keeps it)"], size_t(1));
        QCOMPARE(s.skippedItems["empty prompt (--keep-empty keeps it)"], size_t(1));
        QCOMPARE(s.skippedItems["a message without a role (--fill-roles gives it the default role)"], size_t(1));
        // Kept only when asked, and counted.
        ExportOptions keep;
        keep.keepEmpty = true;
        keep.fillMissingRoles = true;
        ExportSummary k;
        const auto pairs = collectPairs({emptyOut, emptyPrompt, noRole}, keep, k);
        QCOMPARE(pairs.size(), size_t(3));
        QCOMPARE(k.emptyKept, size_t(2));
        QCOMPARE(k.rolesFilled, size_t(1));
        QCOMPARE(pairs[2].chosen.messages[0].role, std::string("assistant"));
        // The project's own validation refuses a role-less message in a written file.
        const std::string f = path("roleless.jsonl");
        writeFileAtomically(f, R"({"prompt":[{"role":"","content":"P"}],"reference":[{"role":"assistant","content":"R"}],)"
                               R"("chosen":[{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]})"
                               "\n");
        QVERIFY(errorOf([&] { validatePairsFile(f, PairFormat::Polar, 1); }).contains("has no role"));
    }

    void trlRefusesAPromptEndingInASystemTurn()
    {
        auto it = item(strings({"a", "b"}), {1, 2});
        it.prompt = TextField::fromMessages({{"user", "hi"}, {"system", "be brief"}});
        ExportOptions o;
        o.format = PairFormat::Trl;
        ExportSummary s;
        QVERIFY(collectPairs({it}, o, s).empty());
        QCOMPARE(s.droppedPairs.size(), size_t(1));
        QVERIFY(QString::fromStdString(s.droppedPairs.begin()->first).contains("TRL needs user, tool or assistant"));
        ExportSummary p;
        QCOMPARE(collectPairs({it}, {}, p).size(), size_t(1)); // fine for xtuner, which reads contents only
    }

    void failedExportLeavesTheOldFileByteIdentical()
    {
        const std::string train = path("train-kept.jsonl");
        const std::string good = R"({"prompt":[{"role":"user","content":"P"}],"reference":[{"role":"assistant","content":"R"}],)"
                                 R"("chosen":[{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]})"
                                 "\n";
        writeFileAtomically(train, good);
        // Nothing exportable (an empty prompt list): an error, and the old file stays.
        auto it = item(strings({"a", "b"}), {1, 2});
        it.prompt = TextField::fromMessages({});
        const QString err = errorOf([&] { exportPairs({it}, train, {}); });
        QVERIFY2(err.contains("no pairs to export") && err.contains("nothing was written"), qPrintable(err));
        QCOMPARE(readWholeFile(train), good);
        // A check that fails after the bytes are written: still the old file, and no temporary left.
        const QString late = errorOf([&] {
            writeFileAtomically(train, "new", [](const std::string &) { throw Error("validation failed"); });
        });
        QVERIFY2(late.contains("validation failed") && late.contains("unchanged"), qPrintable(late));
        QCOMPARE(readWholeFile(train), good);
        QCOMPARE(QDir(m_tmp.path()).entryList({"train-kept.jsonl.tmp-*"}).size(), 0);
    }

    void sameFileIsRecognisedThroughLinksAndDots()
    {
        const std::string a = path("same.jsonl");
        writeFileAtomically(a, "x");
        QVERIFY(sameFile(a, m_tmp.path().toStdString() + "/./same.jsonl"));
        QVERIFY(::symlink(a.c_str(), path("link.jsonl").c_str()) == 0);
        QVERIFY(sameFile(a, path("link.jsonl")));
        QVERIFY(!sameFile(a, path("other.jsonl")));
        QVERIFY(sameFile(path("new.jsonl"), m_tmp.path().toStdString() + "/sub/../new.jsonl") || !QDir().exists(m_tmp.filePath("sub")));
        QVERIFY(errorOf([&] { refuseOverwritingInput(a, a, "input"); }).contains("is the input"));
    }

    // ---- two annotators: matched by record, not by position --------------------

    void annotatorsAreMatchedByRecord()
    {
        const std::string mineData = dataset("mine.jsonl");
        auto mine = PreferenceProject::openForDataset(mineData);
        // The other annotator's file lists the records in another order.
        std::vector<AnnotatedItem> theirs = mine->annotatedItems();
        std::reverse(theirs.begin(), theirs.end());
        theirs[0].ranks = {2, 1}; // q3
        theirs[2].ranks = {1, 2}; // q1
        const auto aligned = alignItems(mine->annotatedItems(), theirs);
        QCOMPARE(aligned[0].ranks, (std::vector<int>{1, 2}));
        QCOMPARE(aligned[2].ranks, (std::vector<int>{2, 1}));
        const auto changes = planMerge(*mine, theirs, "theirs.jsonl", "ana", 1700000000);
        QCOMPARE(changes.size(), size_t(2));
        QCOMPARE(changes[0].item, size_t(0));
        QCOMPARE(changes[0].annotation.ranks, (std::vector<int>{1, 2}));
        QCOMPARE(changes[0].annotation.annotator, std::string("ana"));
        QCOMPARE(changes[0].annotation.time, int64_t(1700000000));
        QVERIFY(QString::fromStdString(changes[0].annotation.note).contains("theirs.jsonl"));
    }

    // A chosen/rejected record nobody ranked carries the dataset's label: in
    // both projects it is the same label, not two annotators agreeing, and
    // merging it would record it as this annotator's decision.
    void theDatasetsLabelIsNoAnnotatorsDecision()
    {
        const std::string data = dataset("labelled.jsonl", R"({"prompt":"q1","reference":"r","chosen":"good","rejected":"bad"})"
                                                           "\n" R"({"prompt":"q2","reference":"r","outputs":["x","y"]})" "\n");
        auto mine = PreferenceProject::openForDataset(data);
        auto items = mine->annotatedItems();
        QCOMPARE(items[0].ranks, (std::vector<int>{1, 2})); // the label counts for pairs and the model's agreement
        QVERIFY(items[0].ranksFromDataset);
        QVERIFY(!items[1].ranksFromDataset);
        QCOMPARE(annotatorAgreement(items, items).sharedItems, 0);
        QVERIFY(QString::fromStdString(annotatorAgreement(items, items).describe()).contains("Cohen's kappa: n/a"));
        QVERIFY(planMerge(*mine, items, "theirs.jsonl", "ana", 1700000000).empty());
        // Exported and read back, the label is still the dataset's; decided, it is the annotator's.
        writeAnnotatedJsonl(path("labelled-annotated.jsonl"), items);
        auto back = readAnnotatedJsonl(path("labelled-annotated.jsonl"));
        QCOMPARE(back[0].ranks, (std::vector<int>{1, 2}));
        QVERIFY(back[0].ranksFromDataset);
        // An answer written but nothing decided: no ranking at all, before and after the round trip.
        Annotation draft;
        draft.humanOutputs = {TextField::fromString("mine")};
        mine->setAnnotation(0, draft);
        items = mine->annotatedItems();
        QVERIFY(items[0].ranks.empty());
        writeAnnotatedJsonl(path("labelled-annotated.jsonl"), items);
        back = readAnnotatedJsonl(path("labelled-annotated.jsonl"));
        QCOMPARE(back[0].candidates.size(), size_t(3));
        QVERIFY(back[0].ranks.empty());
        Annotation a;
        a.decided = true;
        a.ranks = {2, 1};
        mine->setAnnotation(0, a);
        items = mine->annotatedItems();
        QVERIFY(!items[0].ranksFromDataset);
        QCOMPARE(annotatorAgreement(items, items).sharedItems, 1);
        writeAnnotatedJsonl(path("labelled-annotated.jsonl"), items);
        back = readAnnotatedJsonl(path("labelled-annotated.jsonl"));
        QCOMPARE(back[0].ranks, (std::vector<int>{2, 1}));
        QVERIFY(!back[0].ranksFromDataset);
    }
};

QTEST_GUILESS_MAIN(TestPreferenceSafety)
#include "test_preference_safety.moc"
