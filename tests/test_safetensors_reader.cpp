// One row per rule of the format, on hand-written bytes (after safetensors' tensor.rs tests).
#include "model/safetensors_reader.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

using namespace polar;
Q_DECLARE_METATYPE(polar::SafetensorsErrorCode)

namespace {

std::string withHeader(const std::string &header, const std::string &data)
{
    std::string out(8, '\0');
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i)
        out[size_t(i)] = char((n >> (8 * i)) & 0xFF);
    return out + header + data;
}

std::string floats(std::initializer_list<float> v)
{
    std::string s(v.size() * 4, '\0');
    std::memcpy(s.data(), v.begin(), s.size());
    return s;
}

void writeFile(const QString &path, const std::string &bytes)
{
    std::ofstream(path.toStdString(), std::ios::binary) << bytes;
}

} // namespace

class TestSafetensorsReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsValidBuffer()
    {
        const std::string header =
            R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
            R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        auto f = SafetensorsFile::fromBuffer(withHeader(header, floats({1.5f, -2.f, 7.f})), "mem");
        QCOMPARE(int(f->tensors().size()), 2);
        const auto &a = f->tensors().at("a");
        QCOMPARE(a.shape, (std::vector<int64_t>{2}));
        float values[2];
        std::memcpy(values, a.data, 8);
        QCOMPARE(values[0], 1.5f);
        QCOMPARE(values[1], -2.f);
        float b;
        std::memcpy(&b, f->tensors().at("b").data, 4);
        QCOMPARE(b, 7.f);
        QCOMPARE(QString::fromStdString(f->metadata().at("format")), QString("pt"));
    }

    void rejectsDamage_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<polar::SafetensorsErrorCode>("code");
        QTest::addColumn<QString>("mentions");
        auto row = [](const char *name, const std::string &bytes, SafetensorsErrorCode code, const char *mentions) {
            QTest::newRow(name) << QByteArray(bytes.data(), int(bytes.size())) << code << QString(mentions);
        };
        using C = SafetensorsErrorCode;
        row("too small", "abc", C::HeaderTooSmall, "too small");
        std::string huge(8, '\0');
        huge[3] = char(0x40); // 2^30 > 100 MB
        row("header too large", huge + "{}", C::HeaderTooLarge, "100 MB");
        std::string shortFile(8, '\0');
        shortFile[0] = 100;
        row("header past end", shortFile + "{}", C::InvalidHeaderLength, "past the end");
        row("not an object start", withHeader("[1, 2]", ""), C::InvalidHeaderStart, "'{'");
        row("invalid json", withHeader("{\"a\": ", ""), C::InvalidHeaderJson, "not valid JSON");
        row("missing offsets", withHeader(R"({"a":{"dtype":"F32","shape":[1]}})", floats({1})), C::InvalidTensorInfo, "'a'");
        row("unknown dtype", withHeader(R"({"a":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}})", "x"),
            C::UnknownDType, "F8_E9");
        row("element overflow",
            withHeader(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})", floats({1})),
            C::ValidationOverflow, "overflows");
        row("size disagrees with shape", withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", floats({1})),
            C::TensorInvalidInfo, "need 8");
        row("gap between tensors",
            withHeader(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                       floats({1, 2, 3})),
            C::InvalidOffset, "'b'");
        row("overlapping tensors",
            withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                       floats({1, 2})),
            C::InvalidOffset, "invalid data_offsets");
        row("truncated data", withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1})),
            C::MetadataIncompleteBuffer, "truncated");
        row("trailing bytes", withHeader(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1, 2})),
            C::MetadataIncompleteBuffer, "holds 8");
    }

    void rejectsDamage()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(polar::SafetensorsErrorCode, code);
        QFETCH(QString, mentions);
        try {
            SafetensorsFile::fromBuffer(bytes.toStdString(), "damaged.safetensors");
            QFAIL("accepted a damaged file");
        } catch (const SafetensorsError &e) {
            const QString msg = QString::fromUtf8(e.what());
            QCOMPARE(int(e.code()), int(code));
            QVERIFY2(msg.startsWith("damaged.safetensors: "), qPrintable(msg));
            QVERIFY2(msg.contains(mentions), qPrintable(msg));
        }
    }

    void mapsFixtureFiles()
    {
        auto ck = SafetensorsCheckpoint::openDirectory(testdata::tinyModel());
        QCOMPARE(ck.tensors().at("model.tok_embeddings.weight").shape, (std::vector<int64_t>{1000, 64}));
        QCOMPARE(ck.tensors().at("model.layers.1.attention.wqkv.weight").dtype, SafetensorsDType::F32);
        auto sharded = SafetensorsCheckpoint::openDirectory(testdata::tinyShardedModel());
        QCOMPARE(sharded.files().size(), size_t(2));
        QCOMPARE(sharded.tensors().size(), ck.tensors().size());
        QCOMPARE(sharded.tensors().at("v_head.weight").dtype, SafetensorsDType::BF16);
        QVERIFY(QString::fromStdString(sharded.tensors().at("model.norm.weight").file).endsWith("model-00002-of-00002.safetensors"));
    }

    void indexErrors_data()
    {
        QTest::addColumn<QString>("index");
        QTest::addColumn<polar::SafetensorsErrorCode>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("shard absent") << R"({"weight_map":{"a":"model-00009-of-00009.safetensors"}})"
                                      << SafetensorsErrorCode::IndexShardMissing << "model-00009-of-00009.safetensors";
        QTest::newRow("tensor not in shard") << R"({"weight_map":{"zzz":"shard.safetensors"}})"
                                             << SafetensorsErrorCode::IndexTensorNotInShard << "'zzz'";
        QTest::newRow("no weight_map") << R"({"metadata":{}})" << SafetensorsErrorCode::IndexInvalid << "weight_map";
        QTest::newRow("not json") << "{" << SafetensorsErrorCode::IndexInvalid << "not valid JSON";
    }

    void indexErrors()
    {
        QFETCH(QString, index);
        QFETCH(polar::SafetensorsErrorCode, code);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        writeFile(dir.filePath("shard.safetensors"),
                  withHeader(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1})));
        writeFile(dir.filePath("model.safetensors.index.json"), index.toStdString());
        try {
            SafetensorsCheckpoint::openDirectory(dir.path().toStdString());
            QFAIL("accepted a bad index");
        } catch (const SafetensorsError &e) {
            QCOMPARE(int(e.code()), int(code));
            QVERIFY2(QString(e.what()).contains("model.safetensors.index.json"), e.what());
            QVERIFY2(QString(e.what()).contains(mentions), e.what());
        }
    }

    void missingWeightsNamesDirectory()
    {
        QTemporaryDir dir;
        try {
            SafetensorsCheckpoint::openDirectory(dir.path().toStdString());
            QFAIL("opened an empty directory");
        } catch (const SafetensorsError &e) {
            QVERIFY2(QString(e.what()).contains("no model.safetensors"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestSafetensorsReader)
#include "test_safetensors_reader.moc"
