// RewardModelClient._encode, ported: every golden case's encoded text and ids,
// on the tiny tokenizer and on the real InternLM2 tokenizer.
#include "scoring/encoding.h"
#include "util/error.h"
#include "test_support.h"
#include "model/tokenizer.h"

#include <QtTest>

using namespace polar;

namespace {

void addGoldenRows(const std::string &file, const char *tokenizer, bool onlyRmEncode)
{
    for (const auto &row : testdata::readGoldenLines(testdata::golden(file))) {
        if (onlyRmEncode && row["kind"] != "rm_encode")
            continue;
        QTest::newRow((std::string(tokenizer) + "/" + row["name"].get<std::string>()).c_str())
            << QString(tokenizer) << QString::fromStdString(row.dump());
    }
}

} // namespace

class TestEncoding : public QObject
{
    Q_OBJECT

    std::unique_ptr<PolarEncoder> m_tiny, m_real;

    const PolarEncoder &encoder(const QString &which) const { return which == "real" ? *m_real : *m_tiny; }

private Q_SLOTS:
    void initTestCase()
    {
        auto tiny = Tokenizer::load(testdata::tinyModel());
        m_tiny = std::make_unique<PolarEncoder>(tiny, 993); // reward_token_id of the fixture's config.json
        auto real = Tokenizer::load(testdata::internlm2Tokenizer());
        // The real tokenizer directory has no config.json: take the reward
        // token's id from the tokenizer itself.
        const auto rewardIds = real->encode("[UNUSED_TOKEN_130]", false);
        QCOMPARE(rewardIds.size(), size_t(1));
        m_real = std::make_unique<PolarEncoder>(real, rewardIds[0]);
    }

    void matchesGolden_data()
    {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("caseJson");
        addGoldenRows("tiny-polar.jsonl", "tiny", false);
        addGoldenRows("tiny-polar-sharded.jsonl", "tiny", false);
        addGoldenRows("internlm2-tokenizer.jsonl", "real", true);
    }

    void matchesGolden()
    {
        QFETCH(QString, tokenizer);
        QFETCH(QString, caseJson);
        const Json c = Json::parse(caseJson.toStdString());
        const PolarInput in = testdata::encodeCase(encoder(tokenizer), c);
        QCOMPARE(QString::fromStdString(in.text), QString::fromStdString(c["encoded_text"].get<std::string>()));
        QCOMPARE(in.ids, c["input_ids"].get<std::vector<int>>());
        QCOMPARE(in.tokens.size(), in.ids.size());

        // Segments follow the template, and every token's field span points
        // at the same bytes in the field it came from.
        const std::string fields[4] = {in.prompt, in.reference, in.prompt, in.output};
        // The case's fields as given, before the encode/decode round trip.
        const std::string original[4] = {textFieldFromJson(c["prompt"], "prompt").flattened(),
                                         textFieldFromJson(c["reference"], "reference").flattened(),
                                         textFieldFromJson(c["prompt"], "prompt").flattened(),
                                         textFieldFromJson(c["output"], "output").flattened()};
        int lastSegment = -1;
        for (const auto &t : in.tokens) {
            if (t.segment == Segment::Special)
                continue;
            QVERIFY(int(t.segment) >= lastSegment); // prompt, reference, prompt copy, output in order
            lastSegment = int(t.segment);
            const size_t segBegin = in.segmentBegin[int(t.segment)];
            if (t.fieldBegin >= 0) {
                // The token's bytes in the encoded text are the same bytes in its field.
                const size_t n = size_t(t.fieldEnd - t.fieldBegin);
                QCOMPARE(QByteArray::fromStdString(in.text.substr(t.begin, n)),
                         QByteArray::fromStdString(original[int(t.segment)].substr(size_t(t.fieldBegin), n)));
            }
            QVERIFY(t.begin >= segBegin);
            const std::string &field = fields[int(t.segment)];
            QVERIFY(t.begin - segBegin < field.size());
        }
        QCOMPARE(in.tokens.back().segment, Segment::Special);
        QCOMPARE(in.tokens.front().segment, Segment::Special); // BOS
    }

    void reportsTruncation()
    {
        for (const auto &c : testdata::readGoldenLines(testdata::golden("tiny-polar.jsonl"))) {
            const PolarInput in = testdata::encodeCase(*m_tiny, c);
            const std::string name = c["name"];
            if (name == "trunc_responses_left") {
                QVERIFY(in.truncation.referenceDropped > 0);
                QVERIFY(in.truncation.outputDropped > 0);
                QVERIFY(QString::fromStdString(in.truncation.describe()).contains("output"));
            } else if (name == "trunc_prompt_only") {
                QVERIFY(in.truncation.promptDropped > 0);
                QCOMPARE(in.truncation.outputDropped, 0);
            } else if (name == "trunc_prompt_budget_zero_keeps_all") {
                QCOMPARE(in.truncation.promptDropped, 0); // Python's p[-0:] keeps everything
                QVERIFY(in.truncation.overMaxLength);
            } else if (name == "trunc_prompt_budget_negative") {
                QVERIFY(in.truncation.promptDropped > 0);
            } else if (name.rfind("trunc", 0) != 0) {
                QVERIFY2(!in.truncation.any(), name.c_str());
            }
        }
    }

    void fieldSpansPointIntoOriginalFields()
    {
        const TextField prompt = TextField::fromString("How many 'r's in 'strawberry'?");
        const TextField reference = TextField::fromString("There are 3.");
        const TextField output = TextField::fromString("Three 'r's 🍓.");
        const PolarInput in = m_tiny->encode(prompt, reference, output);
        std::string rebuiltOutput;
        for (const auto &t : in.tokens) {
            if (t.segment != Segment::Output)
                continue;
            QVERIFY(t.fieldBegin >= 0);
            QCOMPARE(QString::fromStdString(output.text.substr(size_t(t.fieldBegin), size_t(t.fieldEnd - t.fieldBegin))),
                     QString::fromStdString(in.text.substr(t.begin, t.end - t.begin)));
            rebuiltOutput += in.text.substr(t.begin, t.end - t.begin);
        }
        QCOMPARE(QString::fromStdString(rebuiltOutput), QString::fromStdString(output.text));
        QVERIFY(in.outputTokenBegin() < in.tokens.size());
        QCOMPARE(utf8CodepointOffset("aé🍓b", 7), 3L);
    }

    void leftCutKeepsFieldOffsets()
    {
        EncodeOptions o;
        o.maxResponseLength = 5;
        const TextField out = TextField::fromString("one two three four five six seven eight nine ten");
        const PolarInput in = m_tiny->encode(TextField::fromString("q"), TextField::fromString("r"), out, o);
        QVERIFY(in.truncation.outputDropped > 0);
        for (const auto &t : in.tokens)
            if (t.segment == Segment::Output)
                QCOMPARE(QString::fromStdString(out.text.substr(size_t(t.fieldBegin), size_t(t.fieldEnd - t.fieldBegin))),
                         QString::fromStdString(in.text.substr(t.begin, t.end - t.begin)));
    }

    void rejectsBadOptions()
    {
        EncodeOptions o;
        o.maxLength = 2;
        QVERIFY_THROWS_EXCEPTION(Error, m_tiny->encode(TextField::fromString("a"), TextField::fromString("b"),
                                                       TextField::fromString("c"), o));
    }

    // A message field that is not text says what it found and where, so a
    // dataset in another chat format is fixed, not guessed at.
    void messageContentMustBeText_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("parts") << R"([{"role": "user", "content": [{"type": "text", "text": "hi"}]}])"
                               << "prompt[0].content: a list of content parts";
        QTest::newRow("null") << R"([{"role": "user", "content": null}])" << "prompt[0].content: must be a string, found null";
        QTest::newRow("missing") << R"([{"role": "user"}, {"role": "user", "text": "hi"}])" << "prompt[0].content: missing";
        QTest::newRow("number") << R"([{"role": "user", "content": "a"}, {"content": 3}])"
                                << "prompt[1].content: must be a string, found number";
    }

    void messageContentMustBeText()
    {
        QFETCH(QString, json);
        QFETCH(QString, message);
        try {
            textFieldFromJson(parseJson(json.toStdString(), "test"), "prompt");
            QFAIL("accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(message), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestEncoding)
#include "test_encoding.moc"
