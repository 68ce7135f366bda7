#include "util/error.h"
#include "model/checkpoint_schema.h"
#include "model/config.h"
#include "test_support.h"

#include <QtTest>

using namespace polar;

namespace {

Json tinyConfig()
{
    return Json::parse(R"({"architectures":["InternLM2ForRewardModel"],"model_type":"internlm2","hidden_size":64,
        "num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":160,
        "vocab_size":1000,"max_position_embeddings":4096,"rms_norm_eps":1e-5,"rope_theta":1000000,
        "rope_scaling":null,"reward_token_id":993,"pad_token_id":2,"torch_dtype":"float32","bias":false})");
}

} // namespace

class TestModelConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsFixture()
    {
        const ModelConfig c = loadModelConfig(testdata::tinyModel() + "/config.json");
        QCOMPARE(c.hiddenSize, int64_t(64));
        QCOMPARE(c.numLayers, int64_t(2));
        QCOMPARE(c.numHeads, int64_t(4));
        QCOMPARE(c.numKvHeads, int64_t(2));
        QCOMPARE(c.headDim(), int64_t(16));
        QCOMPARE(c.groupSize(), int64_t(2));
        QCOMPARE(c.intermediateSize, int64_t(160));
        QCOMPARE(c.vocabSize, int64_t(1000));
        QCOMPARE(c.rewardTokenId, int64_t(993));
        QCOMPARE(c.ropeTheta, 1e6);
        QCOMPARE(c.ropeScaling.type, RopeScaling::Type::None);
        // The schema's count equals the elements the fixture's file actually holds.
        QCOMPARE(parameterCount(expectedTensors(c)), testdata::storedParameterCount(testdata::tinyModel()));
        QCOMPARE(QString::fromStdString(loadModelConfig(testdata::tinyShardedModel() + "/config.json").torchDtype),
                 QString("bfloat16"));
    }

    void readsRopeScaling()
    {
        Json j = tinyConfig();
        j["rope_scaling"] = {{"type", "dynamic"}, {"factor", 2.0}};
        ModelConfig c = parseModelConfig(j.dump(), "config.json");
        QCOMPARE(c.ropeScaling.type, RopeScaling::Type::Dynamic);
        QCOMPARE(c.ropeScaling.factor, 2.0);
        j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 4}};
        c = parseModelConfig(j.dump(), "config.json");
        QCOMPARE(c.ropeScaling.type, RopeScaling::Type::Linear);
    }

    void rejectsBadConfigs_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("architecture") << R"({"architectures":["LlamaForCausalLM"]})" << "unsupported architecture 'LlamaForCausalLM'";
        QTest::newRow("model_type") << R"({"model_type":"llama"})" << "unsupported model_type 'llama'";
        QTest::newRow("missing hidden_size") << R"({"hidden_size":null})" << "missing field 'hidden_size'";
        QTest::newRow("negative layers") << R"({"num_hidden_layers":-1})" << "'num_hidden_layers' must be a positive integer";
        QTest::newRow("heads not dividing") << R"({"num_attention_heads":5})" << "not divisible by num_attention_heads";
        QTest::newRow("kv not dividing") << R"({"num_key_value_heads":3})" << "not divisible by num_key_value_heads";
        QTest::newRow("reward token outside") << R"({"reward_token_id":1000})" << "reward_token_id 1000 is outside";
        QTest::newRow("no reward token") << R"({"reward_token_id":null})" << "missing field 'reward_token_id'";
        QTest::newRow("rope type") << R"({"rope_scaling":{"type":"yarn","factor":2}})" << "rope_scaling type 'yarn'";
        QTest::newRow("rope factor") << R"({"rope_scaling":{"type":"linear"}})" << "rope_scaling.factor";
        QTest::newRow("negative eps") << R"({"rms_norm_eps":-1e-5})" << "'rms_norm_eps' must be a positive number";
        QTest::newRow("zero rope_theta") << R"({"rope_theta":0})" << "'rope_theta' must be a positive number";
        QTest::newRow("bias as string") << R"({"bias":"yes"})" << "field 'bias' must be true or false, found string";
        QTest::newRow("layers as string") << R"({"num_hidden_layers":"2"})" << "field 'num_hidden_layers' must be an integer, found string";
        QTest::newRow("a trillion layers") << R"({"num_hidden_layers":1000000000000})" << "no larger than";
        QTest::newRow("hidden beyond int64") << R"({"hidden_size":18446744073709551615})" << "out of range";
        QTest::newRow("eps as string") << R"({"rms_norm_eps":"1e-5"})" << "'rms_norm_eps' must be a number, found string";
    }

    void rejectsBadConfigs()
    {
        QFETCH(QString, patch);
        QFETCH(QString, mentions);
        Json j = tinyConfig();
        const Json p = Json::parse(patch.toStdString());
        for (const auto &item : p.items())
            j[item.key()] = item.value(); // a null stays, unlike merge_patch
        try {
            parseModelConfig(j.dump(), "dir/config.json");
            QFAIL("accepted a bad config");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).startsWith("dir/config.json: "), e.what());
            QVERIFY2(QString(e.what()).contains(mentions), e.what());
        }
    }

    void rejectsOverflowingNumber()
    {
        std::string text = tinyConfig().dump();
        const std::string theta = "\"rope_theta\":1000000";
        QVERIFY(text.find(theta) != std::string::npos);
        text.replace(text.find(theta), theta.size(), "\"rope_theta\":1e999");
        try {
            parseModelConfig(text, "dir/config.json");
            QFAIL("accepted 1e999");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("dir/config.json: number out of range"), e.what());
        }
    }

    void rejectsDeepNesting()
    {
        // A config of nested brackets must be an error with the file name, not a stack overflow.
        const std::string deep = std::string(200000, '[') + std::string(200000, ']');
        try {
            parseModelConfig(deep, "dir/config.json");
            QFAIL("accepted a nested config");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("dir/config.json: nested deeper than"), e.what());
        }
    }

    void rejectsNonJson()
    {
        QVERIFY_THROWS_EXCEPTION(Error, parseModelConfig("{", "config.json"));
        QVERIFY_THROWS_EXCEPTION(Error, loadModelConfig("/nonexistent/config.json"));
    }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "test_model_config.moc"
