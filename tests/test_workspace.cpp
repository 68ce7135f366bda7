// The session file: round trip and errors that name the field.
#include "util/error.h"
#include "util/files.h"
#include "workbench/workspace.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace polar;

class TestWorkspace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        Workspace ws;
        ws.modelPath = "/models/POLAR-7B";
        ws.prompt = TextField::fromMessages({{"system", "Be brief."}, {"user", "Capital of France?"}});
        ws.reference = TextField::fromString("Paris.");
        auto &a = ws.addCandidate(TextField::fromString("Paris"));
        a.mark = Candidate::Mark::Chosen;
        a.score = CandidateScore{true, "", 1.25f, 20, "", "text", nullptr};
        ws.addCandidate(TextField::fromString("Lyon")).mark = Candidate::Mark::Rejected;
        ws.referenceScore = CandidateScore{true, "", 2.5f, 21, "output: 3 tokens cut", "ref text", nullptr};
        ws.settings.encode.maxLength = 2048;
        ws.settings.encode.cutSide = CutSide::Right;
        ws.settings.dtype = "bf16";
        ws.scoredBy = "/models/POLAR-7B";
        ws.scoredDtype = "bf16";

        QTemporaryDir dir;
        const std::string path = dir.filePath("s.polar.json").toStdString();
        saveWorkspace(path, ws);
        const Workspace back = loadWorkspace(path);
        QCOMPARE(QString::fromStdString(workspaceToJson(back).dump()), QString::fromStdString(workspaceToJson(ws).dump()));
        QCOMPARE(back.nextId, ws.nextId);
        QVERIFY(back.prompt.isMessages);
        QCOMPARE(back.candidates[1].mark, Candidate::Mark::Rejected);
        QCOMPARE(back.referenceScore->truncation, std::string("output: 3 tokens cut"));
        QVERIFY(back.scoredWith("/models/POLAR-7B", "bf16"));
        QVERIFY(!back.scoredWith("/models/POLAR-7B", "fp32"));
        QVERIFY(!back.scoredWith("/models/POLAR-1_8B", "bf16"));
    }

    void scoresOfASessionWithoutTheirPrecisionStay()
    {
        // Sessions saved before scored_dtype existed: their scores match the model at any precision.
        Json j = workspaceToJson(Workspace{});
        j["scored_by"] = "/models/POLAR-7B";
        const Workspace old = workspaceFromJson(j, "old.polar.json");
        QVERIFY(old.scoredWith("/models/POLAR-7B", "fp32"));
        QVERIFY(old.scoredWith("/models/POLAR-7B", "bf16"));
        QVERIFY(!old.scoredWith("/models/other", "fp32"));
        QVERIFY(!Workspace{}.scoredWith("", "fp32")); // nothing scored matches nothing
    }

    void errorsNameTheField_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not a session") << R"({"format":"other"})" << "not a Polar Studio session";
        QTest::newRow("future version") << R"({"format":"polar-studio-session","version":9})" << "version 9";
        QTest::newRow("bad prompt") << R"({"format":"polar-studio-session","version":1,"prompt":3})" << "field 'prompt'";
        QTest::newRow("bad candidate") << R"({"format":"polar-studio-session","version":1,"candidates":[{"id":1}]})"
                                       << "candidates[0]";
        QTest::newRow("repeated id")
            << R"({"format":"polar-studio-session","version":1,"candidates":[{"id":1,"text":"a"},{"id":1,"text":"b"}]})"
            << "candidates[1].id";
        QTest::newRow("bad mark") << R"({"format":"polar-studio-session","version":1,"candidates":[{"id":1,"text":"a","mark":"best"}]})"
                                  << "candidates[0].mark";
        QTest::newRow("bad cut side") << R"({"format":"polar-studio-session","version":1,"settings":{"response_cut_side":"up"}})"
                                      << "settings: field 'response_cut_side': 'up' is not a cut side";
        QTest::newRow("wrong type") << R"({"format":"polar-studio-session","version":1,"settings":{"max_length":"long"}})"
                                    << "settings: field 'max_length' must be an integer, found string";
    }

    void errorsNameTheField()
    {
        QFETCH(QString, json);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        writeFileAtomically(path, json.toStdString());
        try {
            loadWorkspace(path);
            QFAIL("accepted a bad session");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path)), e.what());
            QVERIFY2(QString(e.what()).contains(mentions), e.what());
        }
    }

    void unreadableFile()
    {
        QVERIFY_THROWS_EXCEPTION(Error, loadWorkspace("/nonexistent/session.json"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("broken.json").toStdString();
        writeFileAtomically(path, "{ not json");
        QVERIFY_THROWS_EXCEPTION(Error, loadWorkspace(path));
    }
};

QTEST_APPLESS_MAIN(TestWorkspace)
#include "test_workspace.moc"
