// polar-cli as a user runs it: good and bad lines, exit codes, atomic output.
#include "test_support.h"
#include "util/files.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using polar::Json;
using polar::parseJson;
using polar::readJsonl;
using polar::readWholeFile;

namespace {

struct Run
{
    int code;
    QString out, err;
};

Run cli(const QStringList &args, const QByteArray &input = {}, const QString &workingDir = {})
{
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.start(POLAR_CLI_PATH, args);
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString model() { return QString::fromStdString(testdata::tinyModel()); }

std::vector<polar::Json> parseJsonlLinesOf(const QString &text)
{
    std::vector<polar::Json> out;
    for (const QString &line : text.split('\n', Qt::SkipEmptyParts))
        out.push_back(polar::parseJson(line.toStdString(), "output"));
    return out;
}

void write(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scoresAndReportsBadLines()
    {
        QTemporaryDir dir;
        const QString in = dir.filePath("in.jsonl"), out = dir.filePath("out.jsonl");
        write(in, R"({"prompt": "What is the capital of China?", "reference": "Beijing.", "output": "Beijing.", "id": 7}
this is not json
{"prompt": "p", "output": "o"}
{"prompt": [{"role": "user", "content": "What is the capital of China?"}], "reference": [{"role": "assistant", "content": "Beijing."}], "outputs": ["Beijing.", "Shanghai."]}
{"prompt": "p", "reference": 5, "output": "o"}
)");
        const Run r = cli({"score", "--model", model(), "--device", "cpu", in, "-o", out, "--explain"});
        QCOMPARE(r.code, 1); // something failed
        QVERIFY2(r.err.contains(in + ":2: not valid JSON"), qPrintable(r.err));
        QVERIFY2(r.err.contains(in + ":3: missing field 'reference'"), qPrintable(r.err));
        QVERIFY2(r.err.contains(in + ":5: field 'reference'"), qPrintable(r.err));
        const auto lines = testdata::readGoldenLines(out.toStdString());
        QCOMPARE(lines.size(), size_t(5)); // same order, nothing dropped
        QCOMPARE(lines[0]["id"].get<int>(), 7);
        QVERIFY(lines[0].contains("reward"));
        QVERIFY(lines[1].contains("error"));
        QVERIFY(lines[2].contains("error"));
        QCOMPARE(lines[3]["rewards"].size(), size_t(2));
        // The messages form of the fixture case scores the same as the golden value.
        double golden = 0;
        for (const auto &c : testdata::readGoldenLines(testdata::golden("tiny-polar.jsonl")))
            if (c["name"] == "capital_beijing")
                golden = c["reward"].get<double>();
        QVERIFY(golden != 0);
        QVERIFY(std::fabs(lines[3]["rewards"][0].get<double>() - golden) < 1e-4);
        QVERIFY(lines[3]["rewards"][0].get<double>() > lines[3]["rewards"][1].get<double>());
        QVERIFY(lines[0]["explain"]["encoded_text"].get<std::string>().find("<|reward|>") != std::string::npos);
        QVERIFY(QDir(dir.path()).entryList({"*.tmp-*"}, QDir::Files).isEmpty());
    }

    // polar-cli serve, and the commands that score on a server, as a user runs them.
    void serveAndScoreOnIt()
    {
        QProcess serve;
        serve.start(POLAR_CLI_PATH, {"serve", "--model", model(), "--port", "0", "--quiet"});
        QVERIFY(serve.waitForStarted());
        if (!serve.waitForReadyRead(30000)) {
            serve.waitForFinished(5000);
            const QString err = QString::fromUtf8(serve.readAllStandardError());
            if (err.contains("no HTTP server"))
                QSKIP("this build has no cpp-httplib: polar-cli serve and --server are not built");
            QFAIL(qPrintable("polar-cli serve did not start: " + err));
        }
        const QString banner = QString::fromUtf8(serve.readLine()); // "serving NAME on http://127.0.0.1:PORT"
        QVERIFY2(banner.contains("http://127.0.0.1:"), qPrintable(banner));
        const QString address = banner.section("http://", 1).trimmed();

        QTemporaryDir dir;
        const QString in = dir.filePath("in.jsonl");
        write(in, R"({"prompt": "What is the capital of China?", "reference": "Beijing.", "outputs": ["Beijing.", "Shanghai."]}
{"prompt": "What is 2 + 2?", "reference": "4", "output": "4"}
)");
        const Run local = cli({"score", "--model", model(), "--device", "cpu", in});
        QCOMPARE(local.code, 0);
        for (const char *engine : {"vllm", "sglang", "lmdeploy"}) {
            const Run remote = cli({"score", "--model", model(), "--server", QString(engine) + "=" + address, in});
            QVERIFY2(remote.code == 0, qPrintable(remote.err));
            QVERIFY2(remote.err.contains("on " + QString(engine == std::string("vllm") ? "vLLM" : engine == std::string("sglang") ? "SGLang" : "LMDeploy")),
                     qPrintable(remote.err));
            const auto a = parseJsonlLinesOf(local.out), b = parseJsonlLinesOf(remote.out);
            QCOMPARE(b.size(), a.size());
            QVERIFY(std::fabs(a[0]["rewards"][1].get<double>() - b[0]["rewards"][1].get<double>()) < 1e-4);
            QVERIFY(std::fabs(a[1]["reward"].get<double>() - b[1]["reward"].get<double>()) < 1e-4);
        }
        const Run probe = cli({"inspect", "--model", model(), "--server", "sglang=" + address});
        QVERIFY2(probe.code == 0 && probe.out.contains("answered a reward of"), qPrintable(probe.out + probe.err));
        const QString dataset = dir.filePath("items.jsonl");
        write(dataset, readAll(in));
        const Run scored = cli({"score-dataset", "--model", model(), "--server", "vllm=http://" + address, dataset});
        QVERIFY2(scored.code == 0 && scored.out.contains("scored 2 items"), qPrintable(scored.out + scored.err));

        // Nobody there: every record says why, no reward is made up, exit status 1.
        const Run down = cli({"score", "--model", model(), "--server", "vllm=127.0.0.1:1", "--retries", "0", in});
        QCOMPARE(down.code, 1);
        const auto failed = parseJsonlLinesOf(down.out);
        QCOMPARE(failed.size(), size_t(2));
        QVERIFY(failed[0]["rewards"][0].is_null() && failed[1]["reward"].is_null());
        QVERIFY2(failed[1]["error"].get<std::string>().find("cannot connect") != std::string::npos, qPrintable(down.out));
        const Run local2 = cli({"score", "--model", model(), "--server", "vllm=" + address, "--device", "cuda", in});
        QVERIFY(local2.code == 2 && local2.err.contains("--device: has no effect with --server"));
        const Run bad = cli({"score", "--model", model(), "--server", "tgi=http://x:1", in});
        QVERIFY(bad.code == 2 && bad.err.contains("expected vllm, sglang or lmdeploy"));

        serve.terminate(); // SIGTERM: a clean stop with a summary
        QVERIFY(serve.waitForFinished(30000));
        QCOMPARE(serve.exitCode(), 0);
        QVERIFY(QString::fromUtf8(serve.readAllStandardError()).contains("stopped:"));
    }

    void allGoodExitsZero()
    {
        const Run r = cli({"score", "--model", model(), QString::fromStdString(testdata::sourceDir()) + "/datasets/strawberry.jsonl"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.count('\n'), 1);
        QVERIFY(r.out.contains("\"rewards\""));
    }

    // A scored file scored again (say, after switching models) gets this run's
    // results in place of the last run's: one reward per output, at its index.
    void aScoredFileScoredAgainReplacesItsResults()
    {
        QTemporaryDir dir;
        const QString in = dir.filePath("in.jsonl"), once = dir.filePath("once.jsonl");
        write(in, "{\"prompt\":\"P\",\"reference\":\"R\",\"outputs\":[\"a\",\"bb\",\"ccc\"],\"error\":\"from before\"}\n"
                  "{\"prompt\":\"P\",\"reference\":\"R\",\"outputs\":[]}\n"
                  "{\"prompt\":\"P\",\"reference\":\"R\",\"output\":\"a\",\"reward\":99}\n");
        QCOMPARE(cli({"score", "--model", model(), in, "-o", once, "--explain"}).code, 0);
        const Run again = cli({"score", "--model", model(), once});
        QCOMPARE(again.code, 0);
        const auto first = parseJsonlLinesOf(QString::fromUtf8(readAll(once))), second = parseJsonlLinesOf(again.out);
        QCOMPARE(second.size(), size_t(3));
        QCOMPARE(first[0]["rewards"].size(), size_t(3));
        QCOMPARE(first[0]["explain"].size(), size_t(3));
        QVERIFY(!first[0].contains("error"));
        auto near = [](const polar::Json &x, const polar::Json &y) { return std::abs(x.get<double>() - y.get<double>()) < 1e-4; };
        QCOMPARE(second[0]["rewards"].size(), size_t(3));
        for (size_t i = 0; i < 3; ++i)
            QVERIFY(near(second[0]["rewards"][i], first[0]["rewards"][i]));
        QVERIFY(!second[0].contains("explain")); // not asked for this time: the old one is not left behind
        QCOMPARE(first[1]["rewards"], polar::Json::array());
        QCOMPARE(second[1]["rewards"], polar::Json::array());
        QVERIFY(first[2]["reward"].get<double>() != 99);
        QVERIFY(near(second[2]["reward"], first[2]["reward"]));
        QVERIFY(near(second[2]["reward"], first[0]["rewards"][0])); // "a" against the same prompt and reference
    }

    // A preference pair as POLAR's train.jsonl holds it scores both answers:
    // chosen_reward and rejected_reward, replaced when scored again.
    void aPreferencePairGetsBothRewards()
    {
        QTemporaryDir dir;
        const QString in = dir.filePath("train.jsonl"), once = dir.filePath("once.jsonl");
        write(in, R"({"prompt": [{"role": "user", "content": "What is the capital of China?"}], "reference": [{"role": "assistant", "content": "Beijing."}], "chosen": [{"role": "assistant", "content": "Beijing."}], "rejected": [{"role": "assistant", "content": "Shanghai."}]}
{"prompt": "P", "reference": "R", "chosen": "a"}
{"prompt": "P", "reference": "R", "chosen": "a", "rejected": "b", "output": "c"}
)");
        const Run r = cli({"score", "--model", model(), in, "-o", once, "--explain"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(in + ":2: missing field 'rejected'"), qPrintable(r.err));
        QVERIFY2(r.err.contains(in + ":3: has more than one of 'output', 'outputs' and 'chosen'/'rejected'"), qPrintable(r.err));
        const auto first = parseJsonlLinesOf(QString::fromUtf8(readAll(once)));
        QCOMPARE(first.size(), size_t(3));
        double golden = 0;
        for (const auto &c : testdata::readGoldenLines(testdata::golden("tiny-polar.jsonl")))
            if (c["name"] == "capital_beijing")
                golden = c["reward"].get<double>();
        QVERIFY(std::fabs(first[0]["chosen_reward"].get<double>() - golden) < 1e-4);
        QVERIFY(first[0]["chosen_reward"].get<double>() > first[0]["rejected_reward"].get<double>());
        QVERIFY(first[0]["rejected_explain"]["encoded_text"].get<std::string>().find("Shanghai.") != std::string::npos);
        QVERIFY(!first[0].contains("reward") && !first[0].contains("rewards"));
        QVERIFY(first[1].contains("error") && !first[1].contains("chosen_reward"));

        const Run again = cli({"score", "--model", model(), once});
        const auto second = parseJsonlLinesOf(again.out);
        QVERIFY(std::fabs(second[0]["chosen_reward"].get<double>() - golden) < 1e-4);
        QVERIFY(!second[0].contains("chosen_explain")); // not asked for this time

        const Run attributed = cli({"attribute", "--model", model(), "--method", "grad", once});
        const auto spans = parseJsonlLinesOf(attributed.out);
        QVERIFY2(spans[0].contains("chosen_attribution") && spans[0].contains("rejected_attribution"), qPrintable(attributed.out));
        QVERIFY(std::fabs(spans[0]["chosen_attribution"]["reward"].get<double>() - golden) < 1e-4);
    }

    // `-` reads the records from standard input and `-o -` writes to standard
    // output, so score and attribute sit in a pipe; nothing named "-" is made.
    void recordsComeThroughAPipe()
    {
        QTemporaryDir dir;
        const QByteArray records = R"({"prompt": "What is the capital of China?", "reference": "Beijing.", "output": "Beijing."}
not json
)";
        write(dir.filePath("in.jsonl"), records);
        const Run fromFile = cli({"score", "--model", model(), dir.filePath("in.jsonl")});
        const Run piped = cli({"score", "--model", model(), "-", "-o", "-"}, records, dir.path());
        QCOMPARE(piped.code, 1); // line 2 failed, and says where
        QVERIFY2(piped.err.contains("<stdin>:2: not valid JSON"), qPrintable(piped.err));
        QCOMPARE(piped.out, fromFile.out);
        QVERIFY(parseJsonlLinesOf(piped.out)[0].contains("reward"));
        const Run attributed = cli({"attribute", "--model", model(), "--method", "grad", "-"}, records.left(records.indexOf('\n') + 1));
        QCOMPARE(attributed.code, 0);
        QVERIFY2(parseJsonlLinesOf(attributed.out)[0].contains("attribution"), qPrintable(attributed.err));
        // The analyses that read score-style records take the pipe too, and name it.
        const Run matrix = cli({"matrix", "--model", model(), "-"}, records);
        QCOMPARE(matrix.code, 1);
        QVERIFY2(matrix.err.contains("<stdin>:2: not valid JSON"), qPrintable(matrix.err));
        QVERIFY2(parseJsonlLinesOf(matrix.out)[0].contains("reference_sensitivity"), qPrintable(matrix.out));
        const Run checked = cli({"check", "--model", model(), "-"}, records.left(records.indexOf('\n') + 1));
        QVERIFY2(checked.code == 0 && checked.out.contains("max |d|"), qPrintable(checked.out + checked.err));
        const QString source = QString::fromStdString(testdata::sourceDir());
        const QByteArray bench = readAll(source + "/datasets/rewardbench-sample.jsonl");
        const Run benchFile = cli({"bench-rm", "--model", model(), source + "/datasets/rewardbench-sample.jsonl", "--reference",
                                   "column:reference"});
        const Run benchPiped = cli({"bench-rm", "--model", model(), "-", "--reference", "column:reference"}, bench);
        QVERIFY2(benchPiped.code == 0 && benchPiped.out == benchFile.out, qPrintable(benchPiped.out + benchPiped.err));
        const Run benchBad = cli({"bench-rm", "--model", model(), "-", "--reference", "column:reference"}, bench + "{\"prompt\": 1}\n");
        QVERIFY2(benchBad.code == 2 && benchBad.err.contains("<stdin>:17:"), qPrintable(benchBad.err));
        const Run pairs = cli({"eval-pairs", "--model", model(), "-"}, readAll(source + "/tests/data/training/pairs.jsonl"));
        QVERIFY2(pairs.code == 0 && pairs.out.contains("pairwise accuracy"), qPrintable(pairs.out + pairs.err));
        const Run noPairs = cli({"eval-pairs", "--model", model(), "-"}, "\n");
        QVERIFY2(noPairs.code == 2 && noPairs.err.contains("<stdin>: holds no pairs"), qPrintable(noPairs.err));
        const Run empty = cli({"score", "--model", model(), "-"}, "");
        QCOMPARE(empty.code, 2);
        QVERIFY2(empty.err.contains("<stdin>: holds no records"), qPrintable(empty.err));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"in.jsonl"});
    }

    void withoutModelTheEmbeddedDemoModelScores()
    {
        const Run r = cli({"score", QString::fromStdString(testdata::sourceDir()) + "/datasets/strawberry.jsonl"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains("embedded demo model") && r.err.contains("Open a POLAR model for real rewards"), qPrintable(r.err));
        QVERIFY(r.out.contains("\"rewards\""));
        const Run e = cli({"eval-pairs", QString::fromStdString(testdata::sourceDir()) + "/tests/data/training/pairs.jsonl"});
        QCOMPARE(e.code, 0);
        QVERIFY2(e.out.contains("pairwise accuracy"), qPrintable(e.out + e.err));
    }

    void unusableInputExitsTwoAndWritesNothing()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out.jsonl");
        Run r = cli({"score", "--model", dir.path(), "/nonexistent.jsonl", "-o", out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("/nonexistent.jsonl: cannot open"), qPrintable(r.err));
        write(dir.filePath("in.jsonl"), "{}\n");
        r = cli({"score", "--model", dir.path(), dir.filePath("in.jsonl"), "-o", out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("config.json: missing"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
        r = cli({"score", "--model", model(), "--dtype", "fp64", dir.filePath("in.jsonl")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--dtype: 'fp64'"), qPrintable(r.err));
        r = cli({"frobnicate"});
        QCOMPARE(r.code, 2);
    }

    void attributeWritesSpansInTheOriginalFields()
    {
        QTemporaryDir dir;
        const QString in = dir.filePath("in.jsonl"), out = dir.filePath("out.jsonl");
        write(in, R"({"prompt": "Où est le café?", "reference": "Le café est ici.", "output": "Ici, près du 🏯 café."})" "\n");
        const Run r = cli({"attribute", "--model", model(), "--method", "ig", "--steps", "16", "--granularity", "word", in, "-o", out});
        QCOMPARE(r.code, 0);
        const auto lines = testdata::readGoldenLines(out.toStdString());
        const auto &a = lines[0]["attribution"];
        QCOMPARE(a["method"].get<std::string>(), std::string("ig"));
        QVERIFY(a["completeness"]["relative_error"].get<double>() < 0.05);
        const QString output = QString::fromUtf8("Ici, près du 🏯 café.");
        int outputWords = 0;
        for (const auto &u : a["units"]) {
            if (u["segment"] != "output")
                continue;
            ++outputWords;
            // Spans count code points of the original field.
            const auto span = u["span"];
            const QString text = QString::fromUtf8(u["text"].get<std::string>().c_str());
            QCOMPARE(output.toUcs4().mid(span[0].get<int>(), span[1].get<int>() - span[0].get<int>()),
                     text.toUcs4());
        }
        QCOMPARE(outputWords, 5);
    }

    void datasetCommandsEndToEnd()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("prefs.jsonl");
        QFile::copy(QString::fromStdString(testdata::sourceDir()) + "/datasets/preferences.jsonl", data);
        Run r = cli({"score-dataset", "--model", model(), data});
        QCOMPARE(r.code, 0);
        const QString project = dir.filePath("prefs.polar-project.jsonl");
        QVERIFY(QFile::exists(project));
        // The project file names its dataset: scoring it scores that project, nothing beside it.
        r = cli({"score-dataset", "--model", model(), project});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("scored 0 items; rewards saved in " + project), qPrintable(r.out));
        QVERIFY(!QFile::exists(dir.filePath("prefs.polar-project.polar-project.jsonl")));
        r = cli({"eval", project});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("chosen/rejected accuracy (RewardBench-style)"), qPrintable(r.out));
        const QString train = dir.filePath("train.jsonl");
        r = cli({"pairs", project, "-o", train, "--strategy", "best-vs-worst", "--format", "trl"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("2 pairs from 2 of 9 items"), qPrintable(r.out));
        const auto lines = testdata::readGoldenLines(train.toStdString());
        QCOMPARE(lines.size(), size_t(2));
        QVERIFY(!lines[0].contains("reference"));
        const QString annotated = dir.filePath("annotated.jsonl");
        QCOMPARE(cli({"export-annotated", project, "-o", annotated}).code, 0);
        // A filter that leaves nothing is an error, and the last good train.jsonl stays as it was.
        const QByteArray before = readAll(train);
        r = cli({"pairs", annotated, "-o", train, "--strategy", "all", "--min-margin", "100"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("no pairs to export (0 pairs") && r.err.contains("nothing was written"), qPrintable(r.err));
        QCOMPARE(readAll(train), before);
        r = cli({"pairs", project, "-o", train, "--strategy", "sideways"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--strategy: 'sideways'"));
    }

    void analysesWriteTheirReports()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("prefs.jsonl");
        QFile::copy(QString::fromStdString(testdata::sourceDir()) + "/datasets/preferences.jsonl", data);
        QCOMPARE(cli({"score-dataset", "--model", model(), data}).code, 0);
        const QString project = dir.filePath("prefs.polar-project.jsonl");

        const QString length = dir.filePath("length.json");
        Run r = cli({"analyze", "length", project, "--model", model(), "--json", length});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("always the longer one") && r.out.contains("Spearman"), qPrintable(r.out));
        const Json lj = parseJson(readWholeFile(length.toStdString()), "length.json");
        QCOMPARE(lj["pairs"].get<size_t>(), size_t(2)); // the two chosen/rejected records
        QVERIFY(lj["points"].size() >= 20);

        r = cli({"analyze", "calibration", project, "--bins", "5", "--json", dir.filePath("cal.json")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("expected calibration error"), qPrintable(r.out));
        QCOMPARE(parseJson(readWholeFile(dir.filePath("cal.json").toStdString()), "cal")["bins"].size(), size_t(5));
        // A report never lands on its input.
        r = cli({"analyze", "calibration", project, "--json", project});
        QCOMPARE(r.code, 2);

        const QString strawberry = QString::fromStdString(testdata::sourceDir()) + "/datasets/strawberry.jsonl";
        const QString matrix = dir.filePath("matrix.jsonl");
        r = cli({"matrix", "--model", model(), strawberry, "--edited-reference", "Three.", "-o", matrix});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("mutually consistent groups"), qPrintable(r.out));
        const auto rows = readJsonl(matrix.toStdString());
        QCOMPARE(rows.size(), size_t(1));
        const Json &rs = rows[0].value["reference_sensitivity"];
        QCOMPARE(rs["matrix"].size(), size_t(7));
        QCOMPARE(rs["edited_reference"].size(), size_t(7));

        r = cli({"check", "--model", model(), strawberry, "--json", dir.filePath("check.json")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("sharing the prompt+reference prefix") && r.out.contains("within tolerance"), qPrintable(r.out));
        QVERIFY(parseJson(readWholeFile(dir.filePath("check.json").toStdString()), "check")["all_within_tolerance"].get<bool>());
        const QString bench = QString::fromStdString(testdata::sourceDir()) + "/datasets/rewardbench-sample.jsonl";
        r = cli({"bench-rm", "--model", model(), bench, "--reference", "column:reference", "--json", dir.filePath("bench.json")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("16 rows evaluated") && r.out.contains("not comparable"), qPrintable(r.out));
        const Json bj = parseJson(readWholeFile(dir.filePath("bench.json").toStdString()), "bench");
        QCOMPARE(bj["subsets"].size(), size_t(4));
        QCOMPARE(bj["reference"].get<std::string>(), std::string("each row's 'reference' field"));
        r = cli({"bench-rm", "--model", model(), bench, "--reference", "column:nothing"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("no row has a reference from each row's 'nothing' field; the rows' other string fields: 'reference'"),
                 qPrintable(r.err));
        r = cli({"analyze", "width", project});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown analysis 'width'"));
    }

    void optionsAreCheckedBeforeUse_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const QString in = QString::fromStdString(testdata::sourceDir()) + "/datasets/examples.jsonl";
        QTest::newRow("score batch 0") << QStringList{"score", "--model", model(), "--batch-tokens", "0", in} << "--batch-tokens: 0 is out of range";
        QTest::newRow("attribute batch 0") << QStringList{"attribute", "--model", model(), "--batch-tokens", "0", in}
                                           << "--batch-tokens: 0 is out of range";
        QTest::newRow("score-dataset batch 0") << QStringList{"score-dataset", "--model", model(), "--batch-tokens", "0", in}
                                               << "--batch-tokens: 0 is out of range";
        QTest::newRow("max-length wraps") << QStringList{"score", "--model", model(), "--max-length", "4294967301", in}
                                          << "--max-length: 4294967301 is out of range (5..16777216)";
        QTest::newRow("threads wraps") << QStringList{"score", "--model", model(), "--threads", "4294967297", in}
                                       << "--threads: 4294967297 is out of range (1..1024)";
        QTest::newRow("steps") << QStringList{"attribute", "--model", model(), "--method", "ig", "--steps", "0", in}
                               << "--steps: 0 is out of range";
        QTest::newRow("margin nan") << QStringList{"pairs", in, "-o", "/tmp/x.jsonl", "--strategy", "all", "--min-margin", "nan"}
                                    << "--min-margin: 'nan' is not a finite number";
        QTest::newRow("margin inf") << QStringList{"pairs", in, "-o", "/tmp/x.jsonl", "--strategy", "all", "--min-margin", "inf"}
                                    << "--min-margin: 'inf' is not a finite number";
        QTest::newRow("no strategy") << QStringList{"pairs", in, "-o", "/tmp/x.jsonl"} << "--strategy is required";
        QTest::newRow("old format") << QStringList{"pairs", in, "-o", "/tmp/x.jsonl", "--strategy", "all", "--format", "polar-strings"}
                                    << "'polar-strings' was removed";
        QTest::newRow("directory input") << QStringList{"pairs", QDir::tempPath(), "-o", "/tmp/x.jsonl", "--strategy", "all"}
                                         << "is a directory";
        QTest::newRow("directory to score") << QStringList{"score", "--model", model(), QDir::tempPath()} << "is a directory";
        QTest::newRow("directory dataset") << QStringList{"score-dataset", "--model", model(), QDir::tempPath()} << "is a directory";
        QTest::newRow("score over input") << QStringList{"score", "--model", model(), in, "-o", in} << "is the input";
        // Outputs are checked before the model loads (a model that does not exist is
        // never reached): scoring for an hour must not end in "cannot write".
        const QString gone = "/nonexistent-polar-folder";
        const QString noFolder = "(the folder " + gone + " does not exist)";
        QTest::newRow("score -o no folder") << QStringList{"score", "--model", gone, in, "-o", gone + "/o.jsonl"} << noFolder;
        QTest::newRow("score -o folder") << QStringList{"score", "--model", gone, in, "-o", QDir::tempPath()} << "is a directory";
        QTest::newRow("attribute -o no folder") << QStringList{"attribute", "--model", gone, in, "-o", gone + "/o.jsonl"} << noFolder;
        QTest::newRow("matrix -o no folder") << QStringList{"matrix", "--model", gone, in, "-o", gone + "/o.jsonl"} << noFolder;
        QTest::newRow("check --json no folder") << QStringList{"check", "--model", gone, in, "--json", gone + "/c.json"} << noFolder;
        QTest::newRow("check --json over input") << QStringList{"check", "--model", gone, in, "--json", in} << "is the input";
        QTest::newRow("bench-rm --json no folder")
            << QStringList{"bench-rm", "--model", gone, in, "--reference", "column:reference", "--json", gone + "/b.json"} << noFolder;
        QTest::newRow("analyze --json over input") << QStringList{"analyze", "length", in, "--model", gone, "--json", in}
                                                   << "is the input";
        QTest::newRow("bench --json no folder") << QStringList{"bench", "--shape", "nonexistent", "--json", gone + "/b.json"}
                                                << noFolder;
    }

    void optionsAreCheckedBeforeUse()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run r = cli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
    }

    void noCommandWritesOverItsInput()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("prefs.jsonl");
        QFile::copy(QString::fromStdString(testdata::sourceDir()) + "/datasets/preferences.jsonl", data);
        QCOMPARE(cli({"score-dataset", "--model", model(), data}).code, 0);
        const QString project = dir.filePath("prefs.polar-project.jsonl");
        const QByteArray journal = readAll(project), dataset = readAll(data);
        for (const QString &target : {project, data}) {
            const Run r = cli({"pairs", project, "-o", target, "--strategy", "all"});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("choose another output file"), qPrintable(r.err));
            const Run e = cli({"export-annotated", project, "-o", target});
            QCOMPARE(e.code, 2);
        }
        QCOMPARE(readAll(project), journal);
        QCOMPARE(readAll(data), dataset);
        const QString annotated = dir.filePath("annotated.jsonl");
        QCOMPARE(cli({"export-annotated", project, "-o", annotated}).code, 0);
        const QByteArray exported = readAll(annotated);
        const Run r = cli({"pairs", annotated, "-o", annotated, "--strategy", "all"});
        QCOMPARE(r.code, 2);
        QCOMPARE(readAll(annotated), exported);
        // export-annotated's output goes round through pairs and eval.
        QCOMPARE(cli({"eval", annotated}).code, 0);
        QCOMPARE(cli({"pairs", annotated, "-o", dir.filePath("train.jsonl"), "--strategy", "all"}).code, 0);
    }

    void damagedInputsAreErrorsNotCrashes()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("d.jsonl");
        write(data, "{\"prompt\":\"P\",\"reference\":\"R\",\"outputs\":[\"a\",\"b\"]}\n");
        QCOMPARE(cli({"score-dataset", "--model", model(), data}).code, 0);
        const QString project = dir.filePath("d.polar-project.jsonl");
        // Nothing decided yet: no pairs is an error, not an empty train.jsonl.
        Run r = cli({"pairs", project, "-o", dir.filePath("t.jsonl"), "--strategy", "all"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("no pairs to export"), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir.filePath("t.jsonl")));
        // A journal whose ranks outnumber the candidates (it used to crash pairs).
        QFile f(project);
        QVERIFY(f.open(QIODevice::Append));
        f.write("{\"op\":\"annotation\",\"line\":1,\"annotation\":{\"decided\":true,\"ranks\":[1,2,3,4,5,6,7,8,9]}}\n");
        f.close();
        r = cli({"pairs", project, "-o", dir.filePath("t.jsonl"), "--strategy", "all"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("line 3: field 'annotation': field 'ranks' has 9 values for 2 candidates"), qPrintable(r.err));
        // Salvage what is left.
        r = cli({"repair-project", project, "-o", dir.filePath("fixed.polar-project.jsonl")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("lost line 3"), qPrintable(r.out));
        // A number that does not fit a double is a bad line with its number, not the end of the run.
        write(data, "{\"prompt\":\"P\",\"reference\":\"R\",\"output\":\"a\",\"x\":1e999}\n"
                    "{\"prompt\":\"P\",\"reference\":\"R\",\"output\":\"b\"}\n");
        r = cli({"score", "--model", model(), data});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("d.jsonl:1: number out of range"), qPrintable(r.err));
        QVERIFY2(r.out.contains("\"reward\":"), qPrintable(r.out));
    }

    void reattachCarriesDecisionsToAnEditedDataset()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("r.jsonl");
        write(data, "{\"id\":1,\"prompt\":\"P1\",\"reference\":\"R\",\"chosen\":\"a\",\"rejected\":\"b\"}\n"
                    "{\"id\":2,\"prompt\":\"P2\",\"reference\":\"R\",\"chosen\":\"c\",\"rejected\":\"d\"}\n");
        QCOMPARE(cli({"score-dataset", "--model", model(), data}).code, 0);
        write(data, "{\"id\":0,\"prompt\":\"P0\",\"reference\":\"R\",\"chosen\":\"x\",\"rejected\":\"y\"}\n"
                    "{\"id\":2,\"prompt\":\"P2\",\"reference\":\"R\",\"chosen\":\"c\",\"rejected\":\"d\"}\n"
                    "{\"id\":1,\"prompt\":\"P1\",\"reference\":\"R\",\"chosen\":\"a\",\"rejected\":\"b\"}\n");
        const QString project = dir.filePath("r.polar-project.jsonl");
        Run r = cli({"eval", project});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("changed since the project"), qPrintable(r.err));
        r = cli({"reattach", project, "--dataset", data});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("2 records matched"), qPrintable(r.out));
        r = cli({"eval", project});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("items with a ranking and rewards: 2"), qPrintable(r.out)); // P0 is new, unscored
    }

    void inspectPrintsTheModel()
    {
        const Run r = cli({"inspect", "--model", model()});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("InternLM2ForRewardModel"));
        QVERIFY(r.out.contains("150400"));
        QVERIFY(r.out.contains("993 [UNUSED_TOKEN_130]"));
        QVERIFY(r.out.contains("<|reward|>=990"));
        // Which tokenizer module was loaded: the one beside the binary, in a build tree.
        const QString module = QFileInfo(QString(POLAR_CLI_PATH)).canonicalPath() + "/libpolar_spm.so";
        QVERIFY2(r.out.contains("tokenizer       " + model() + "/tokenizer.model (module " + module + ")"), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
