// The real InternLM2 tokenizer against ids computed with Hugging Face's rules,
// and the tiny fixture tokenizer's added tokens, byte fallback and decode.
#include "util/error.h"
#include "test_support.h"
#include "model/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace polar;

class TestTokenizer : public QObject
{
    Q_OBJECT

    std::shared_ptr<Tokenizer> m_real, m_tiny;

private Q_SLOTS:
    void initTestCase()
    {
        m_real = Tokenizer::load(testdata::internlm2Tokenizer());
        m_tiny = Tokenizer::load(testdata::tinyModel());
    }

    void realTokenizerMatchesGolden_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("idsJson");
        QTest::addColumn<QString>("decoded");
        for (const auto &row : testdata::readGoldenLines(testdata::golden("internlm2-tokenizer.jsonl")))
            if (row["kind"] == "text")
                QTest::newRow(row["name"].get<std::string>().c_str())
                    << QString::fromStdString(row["text"].get<std::string>())
                    << QString::fromStdString(row["input_ids"].dump())
                    << QString::fromStdString(row["decoded_skip_special"].get<std::string>());
    }

    void realTokenizerMatchesGolden()
    {
        QFETCH(QString, text);
        QFETCH(QString, idsJson);
        QFETCH(QString, decoded);
        const auto want = Json::parse(idsJson.toStdString()).get<std::vector<int>>();
        const auto ids = m_real->encode(text.toStdString());
        QCOMPARE(QString::fromStdString(Json(ids).dump()), idsJson);
        QCOMPARE(ids, want);
        QCOMPARE(QString::fromStdString(m_real->decode(ids, true)), decoded);
    }

    void idsComeFromFiles()
    {
        QCOMPARE(m_real->vocabSize(), 92544);
        QCOMPARE(*m_real->addedTokenId("<|reward|>"), 92397);
        QCOMPARE(*m_tiny->addedTokenId("<|reward|>"), 990);
        QCOMPARE(m_tiny->bosId(), 1);
        QCOMPARE(m_tiny->padId(), 2);
        QCOMPARE(m_tiny->encode("[UNUSED_TOKEN_130]", false), std::vector<int>{993});
    }

    void spansCoverTheText()
    {
        const std::string text = "Zürich 🏯 café<|reward|>[UNUSED_TOKEN_130] end";
        const auto spans = m_tiny->encodeWithSpans(text, true);
        QCOMPARE(spans.front().id, m_tiny->bosId());
        QCOMPARE(spans.front().begin, spans.front().end);
        // Concatenated surfaces rebuild the text, and each span's bytes are its surface.
        std::string rebuilt;
        for (size_t i = 1; i < spans.size(); ++i) {
            const auto &s = spans[i];
            QVERIFY(s.begin <= s.end && s.end <= text.size());
            rebuilt += m_tiny->surface(s.id);
            if (!m_tiny->isBytePiece(s.id))
                QCOMPARE(QString::fromStdString(text.substr(s.begin, s.end - s.begin)),
                         QString::fromStdString(m_tiny->surface(s.id)));
        }
        QCOMPARE(QString::fromStdString(rebuilt), QString::fromStdString(text));
    }

    void decodeFusesBytesAndSkipsSpecials()
    {
        // 🏯 is not in the tiny vocabulary: four byte pieces that must fuse back.
        const std::string text = "a🏯b<|im_start|>c";
        const auto ids = m_tiny->encode(text);
        int bytePieces = 0;
        for (int id : ids)
            bytePieces += m_tiny->isBytePiece(id);
        QCOMPARE(bytePieces, 4);
        QCOMPARE(QString::fromStdString(m_tiny->decode(ids, true)), QString::fromUtf8("a🏯bc"));
        QCOMPARE(QString::fromStdString(m_tiny->decode(ids, false)), QString::fromUtf8("<s>a🏯b<|im_start|>c"));
        // A cut inside the character leaves invalid bytes: each becomes U+FFFD.
        std::vector<int> cut(ids.begin(), ids.begin() + 4); // BOS, 'a', first two bytes of 🏯
        QVERIFY(m_tiny->isBytePiece(cut.back()));
        QCOMPARE(QString::fromStdString(m_tiny->decode(cut, true)), QString::fromUtf8("a\uFFFD\uFFFD"));
    }

    void missingFilesAreNamed()
    {
        QTemporaryDir dir;
        try {
            Tokenizer::load(dir.path().toStdString());
            QFAIL("loaded a tokenizer from an empty directory");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("tokenizer.model: missing"), e.what());
        }
        std::ofstream(dir.filePath("tokenizer.model").toStdString()) << "not a sentencepiece model";
        std::ofstream(dir.filePath("tokenizer_config.json").toStdString()) << "{}";
        try {
            Tokenizer::load(dir.path().toStdString());
            QFAIL("loaded a corrupt tokenizer.model");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("tokenizer.model: not a sentencepiece model"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
