// Every way a model directory can be wrong gets one clear polar::Error that
// names the file and what is wrong.
#include "util/error.h"
#include "model/reward_model.h"
#include "model/safetensors_reader.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>

using namespace polar;

namespace {

struct RawTensor
{
    std::string name, dtype;
    std::vector<int64_t> shape;
    std::string bytes;
};

std::vector<RawTensor> readTensors(const std::string &path)
{
    auto f = SafetensorsFile::open(path);
    std::vector<RawTensor> out;
    for (const auto &[name, t] : f->tensors())
        out.push_back({name, dtypeName(t.dtype), t.shape, std::string(reinterpret_cast<const char *>(t.data), t.nbytes)});
    return out;
}

void writeTensors(const QString &path, const std::vector<RawTensor> &tensors)
{
    Json header = Json::object();
    std::string data;
    for (const auto &t : tensors) {
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
        data += t.bytes;
    }
    std::string h = header.dump();
    h.resize((h.size() + 7) / 8 * 8, ' ');
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[size_t(i)] = char((uint64_t(h.size()) >> (8 * i)) & 0xFF);
    std::ofstream(path.toStdString(), std::ios::binary) << out << h << data;
}

// A writable copy of a fixture model directory.
void copyModel(const QString &from, const QString &to)
{
    for (const QString &f : QDir(from).entryList(QDir::Files))
        QFile::copy(from + "/" + f, to + "/" + f);
    for (const QString &f : QDir(to).entryList(QDir::Files))
        QFile::setPermissions(to + "/" + f, QFile::ReadOwner | QFile::WriteOwner);
}

void editFile(const QString &path, const std::function<void(std::string &)> &edit)
{
    std::string s;
    {
        std::ifstream in(path.toStdString(), std::ios::binary);
        s.assign(std::istreambuf_iterator<char>(in), {});
    }
    edit(s);
    std::ofstream(path.toStdString(), std::ios::binary | std::ios::trunc) << s;
}

// float32 -> bfloat16 bits, round to nearest even (as torch does).
uint16_t toBf16(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u += 0x7fff + ((u >> 16) & 1);
    return uint16_t(u >> 16);
}

float fromBf16(uint16_t b)
{
    const uint32_t u = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// The tiny model's 2-D weights rounded to bf16; stored as BF16 (`mixed`) or
// as their exact F32 values; 1-D norm weights stay F32 either way.
std::vector<RawTensor> roundedTiny(bool mixed)
{
    auto tensors = readTensors(testdata::tinyModel() + "/model.safetensors");
    for (auto &t : tensors) {
        if (t.shape.size() != 2)
            continue;
        const size_t n = t.bytes.size() / 4;
        std::string out;
        for (size_t k = 0; k < n; ++k) {
            float f;
            std::memcpy(&f, t.bytes.data() + 4 * k, 4);
            const uint16_t b = toBf16(f);
            if (mixed) {
                out.append(reinterpret_cast<const char *>(&b), 2);
            } else {
                const float r = fromBf16(b);
                out.append(reinterpret_cast<const char *>(&r), 4);
            }
        }
        t.bytes = out;
        t.dtype = mixed ? "BF16" : "F32";
    }
    return tensors;
}

} // namespace

class TestModelErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badDirectories_data()
    {
        QTest::addColumn<QString>("breakage");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no config") << "rm config.json" << "config.json" << "missing";
        QTest::newRow("not a model dir") << "empty" << "config.json" << "not a Hugging Face model directory";
        QTest::newRow("architecture") << "arch" << "config.json" << "unsupported architecture 'InternLM2ForCausalLM'";
        QTest::newRow("model_type") << "model_type" << "config.json" << "unsupported model_type 'llama'";
        QTest::newRow("no tokenizer") << "rm tokenizer.model" << "tokenizer.model" << "missing";
        QTest::newRow("no tokenizer config") << "rm tokenizer_config.json" << "tokenizer_config.json" << "missing";
        QTest::newRow("no reward added token") << "no reward token" << "tokenizer.model" << "'<|reward|>'";
        QTest::newRow("no weights") << "rm model.safetensors" << "tiny" << "no model.safetensors";
        QTest::newRow("pickle weights") << "pickle" << "tiny" << "pickle weights (pytorch_model.bin), which are not read";
        QTest::newRow("shards, no index") << "rm index" << "tiny"
                                          << "it holds model-00001-of-00002.safetensors and 1 more: name a single file";
        QTest::newRow("tensor missing") << "drop v_head" << "model.safetensors" << "tensor 'v_head.weight' is missing (expected shape [1, 64])";
        QTest::newRow("wrong shape") << "transpose wqkv" << "model.safetensors"
                                     << "'model.layers.1.attention.wqkv.weight' has shape [64, 128], expected [128, 64]";
        QTest::newRow("wrong dtype") << "int embeddings" << "model.safetensors" << "'model.norm.weight' has dtype I32";
        QTest::newRow("unexpected tensor") << "extra tensor" << "model.safetensors" << "unexpected tensor 'model.layers.7.extra.weight'";
        QTest::newRow("truncated file") << "truncate" << "model.safetensors" << "truncated";
        QTest::newRow("corrupt header") << "corrupt header" << "model.safetensors" << "header";
        QTest::newRow("shard absent") << "rm shard 2" << "model.safetensors.index.json"
                                      << "shard 'model-00002-of-00002.safetensors' is listed";
        QTest::newRow("vocab mismatch") << "small vocab" << "tokenizer.model" << "has 1000 pieces but config.json vocab_size is 995";
        QTest::newRow("NaN weight") << "nan v_head" << "model.safetensors" << "tensor 'v_head.weight' holds NaN or infinite values";
        QTest::newRow("config of another model") << "many layers" << "model.safetensors"
                                                 << "holds 17 tensors, but config.json (num_hidden_layers 100000) describes 700003";
        QTest::newRow("nested header") << "nested header" << "model.safetensors" << "nested deeper than 64 levels";
    }

    void badDirectories()
    {
        QFETCH(QString, breakage);
        QFETCH(QString, file);
        QFETCH(QString, mentions);
        QTemporaryDir tmp;
        const QString dir = tmp.path() + "/tiny";
        QDir().mkpath(dir);
        const bool sharded = breakage == "rm shard 2" || breakage == "rm index";
        if (breakage != "empty")
            copyModel(QString::fromStdString(sharded ? testdata::tinyShardedModel() : testdata::tinyModel()), dir);
        const QString weights = dir + "/model.safetensors";
        auto editTensors = [&](const std::function<void(std::vector<RawTensor> &)> &edit) {
            auto tensors = readTensors(weights.toStdString());
            edit(tensors);
            writeTensors(weights, tensors);
        };

        if (breakage == "rm index")
            QFile::remove(dir + "/model.safetensors.index.json");
        else if (breakage.startsWith("rm "))
            QFile::remove(dir + "/" + (sharded ? "model-00002-of-00002.safetensors" : breakage.mid(3)));
        else if (breakage == "pickle")
            QFile::rename(weights, dir + "/pytorch_model.bin");
        else if (breakage == "arch")
            editFile(dir + "/config.json", [](std::string &s) { s.replace(s.find("InternLM2ForRewardModel"), 23, "InternLM2ForCausalLM"); });
        else if (breakage == "model_type")
            editFile(dir + "/config.json", [](std::string &s) { s.replace(s.find("\"internlm2\""), 11, "\"llama\""); });
        else if (breakage == "small vocab")
            editFile(dir + "/config.json", [](std::string &s) { s.replace(s.find("\"vocab_size\": 1000"), 18, "\"vocab_size\": 995"); });
        else if (breakage == "no reward token")
            editFile(dir + "/tokenizer_config.json", [](std::string &s) { s.replace(s.find("<|reward|>"), 10, "<|rewardX|>"); });
        else if (breakage == "drop v_head")
            editTensors([](auto &t) { t.erase(std::remove_if(t.begin(), t.end(), [](auto &x) { return x.name == "v_head.weight"; }), t.end()); });
        else if (breakage == "transpose wqkv")
            editTensors([](auto &t) { for (auto &x : t) if (x.name == "model.layers.1.attention.wqkv.weight") x.shape = {64, 128}; });
        else if (breakage == "int embeddings")
            editTensors([](auto &t) { for (auto &x : t) if (x.name == "model.norm.weight") x.dtype = "I32"; });
        else if (breakage == "extra tensor")
            editTensors([](auto &t) { t.push_back({"model.layers.7.extra.weight", "F32", {1}, std::string(4, '\0')}); });
        else if (breakage == "truncate")
            editFile(weights, [](std::string &s) { s.resize(s.size() / 2); });
        else if (breakage == "nan v_head")
            editTensors([](auto &t) { for (auto &x : t) if (x.name == "v_head.weight") x.bytes.replace(0, 4, "\x00\x00\xc0\x7f", 4); });
        else if (breakage == "many layers")
            editFile(dir + "/config.json", [](std::string &s) { s.replace(s.find("\"num_hidden_layers\": 2"), 22, "\"num_hidden_layers\": 100000"); });
        else if (breakage == "nested header")
            editFile(weights, [](std::string &s) {
                // A header of 100,000 nested lists, length field and all.
                std::string h = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
                h.resize((h.size() + 7) / 8 * 8, ' ');
                std::string len(8, '\0');
                for (int i = 0; i < 8; ++i)
                    len[size_t(i)] = char((uint64_t(h.size()) >> (8 * i)) & 0xFF);
                s = len + h;
            });
        else if (breakage == "corrupt header")
            editFile(weights, [](std::string &s) { s.replace(8, 4, "%%%%"); });

        try {
            RewardModel::load(dir.toStdString());
            QFAIL("loaded a broken model directory");
        } catch (const Error &e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(file), qPrintable(msg));
            QVERIFY2(msg.contains(mentions), qPrintable(msg));
        }
    }

    void mixedDtypeCheckpointScoresLikeItsValues()
    {
        // bf16 matrices with fp32 norms (a common export layout): some tensors
        // are used from the mapped file, others converted. Every reward equals
        // the same values stored all in fp32.
        QTemporaryDir tmp;
        const QString mixed = tmp.path() + "/mixed", plain = tmp.path() + "/plain";
        for (const QString &d : {mixed, plain}) {
            QDir().mkpath(d);
            copyModel(QString::fromStdString(testdata::tinyModel()), d);
        }
        writeTensors(mixed + "/model.safetensors", roundedTiny(true));
        writeTensors(plain + "/model.safetensors", roundedTiny(false));
        LoadOptions cpu;
        cpu.device = Device::Cpu;
        cpu.dtype = ComputeDType::F32;
        auto a = RewardModel::load(mixed.toStdString(), cpu);
        auto b = RewardModel::load(plain.toStdString(), cpu);
        QVERIFY(!a->info().zeroCopy);
        QVERIFY(b->info().zeroCopy);
        const std::vector<std::vector<int>> rows = {{1, 5, 9, 993}, {1, 7, 7, 7, 7, 993}};
        const auto ra = a->forwardRewards(rows), rb = b->forwardRewards(rows);
        for (size_t k = 0; k < rows.size(); ++k)
            QVERIFY2(std::fabs(ra[k] - rb[k]) < 1e-5, qPrintable(QString("%1 vs %2").arg(ra[k]).arg(rb[k])));
    }

    // What `huggingface-cli download` leaves: models--ORG--NAME with blobs/,
    // refs/main and snapshots/<revision>/ of links into blobs/. The folder
    // opens the snapshot refs/main names, under the model's own name.
    void aHubCacheFolderOpensItsSnapshot()
    {
        QTemporaryDir tmp;
        const QString repo = tmp.path() + "/models--internlm--tiny-polar";
        const QString fixture = QString::fromStdString(testdata::tinyModel());
        auto addSnapshot = [&](const QString &revision) {
            QVERIFY(QDir().mkpath(repo + "/blobs") && QDir().mkpath(repo + "/snapshots/" + revision));
            for (const QString &f : QDir(fixture).entryList(QDir::Files)) {
                const QString blob = repo + "/blobs/" + revision + "-" + f;
                QVERIFY(QFile::copy(fixture + "/" + f, blob));
                QVERIFY(QFile::link("../../blobs/" + revision + "-" + f, repo + "/snapshots/" + revision + "/" + f));
            }
        };
        addSnapshot("1111aaaa");
        const std::vector<int> ids = {1, 5, 9, 200, 17};
        const float expected = RewardModel::load(testdata::tinyModel())->forwardRewards({ids})[0];

        // One snapshot and no refs: that one.
        auto model = RewardModel::load(repo.toStdString() + "/");
        QCOMPARE(QString::fromStdString(model->info().directory), repo + "/snapshots/1111aaaa");
        // What the app's recent list keeps: the cache folder, which follows refs/main when reopened.
        QCOMPARE(QString::fromStdString(model->info().picked), repo + "/");
        QCOMPARE(model->info().name, std::string("tiny-polar"));
        QCOMPARE(model->forwardRewards({ids})[0], expected);

        // Two and no refs: which one is not guessed.
        addSnapshot("2222bbbb");
        try {
            RewardModel::load(repo.toStdString());
            QFAIL("two snapshots and no refs/main loaded");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("2 snapshots and no refs/main") && QString(e.what()).contains("1111aaaa, 2222bbbb"),
                     e.what());
        }
        // refs/main decides, as it does for transformers.
        QVERIFY(QDir().mkpath(repo + "/refs"));
        QFile ref(repo + "/refs/main");
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write("2222bbbb");
        ref.close();
        QCOMPARE(QString::fromStdString(RewardModel::load(repo.toStdString())->info().directory), repo + "/snapshots/2222bbbb");
        // A revision whose snapshot is gone (an interrupted download) is named.
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write("3333cccc\n");
        ref.close();
        try {
            RewardModel::load(repo.toStdString());
            QFAIL("a missing snapshot loaded");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("refs/main: names revision '3333cccc'"), e.what());
        }
        // A model folder of its own is never taken for a cache folder.
        QCOMPARE(QString::fromStdString(resolveModelDirectory(fixture.toStdString())), fixture);
        QCOMPARE(modelNameOf(fixture.toStdString() + "/"), std::string("tiny-polar"));
    }

    void cudaRequestWithoutCudaIsAnError()
    {
        if (cudaAvailable())
            QSKIP("this machine has CUDA");
        LoadOptions o;
        o.device = Device::Cuda;
        QVERIFY_THROWS_EXCEPTION(Error, RewardModel::load(testdata::tinyModel(), o));
    }

    void cancelStopsLoading()
    {
        std::atomic_bool cancel{true};
        LoadOptions o;
        o.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, RewardModel::load(testdata::tinyModel(), o));
        // Raised part-way, as the GUI's Cancel does: the next tensor stops the load.
        std::atomic_bool later{false};
        int calls = 0;
        LoadOptions p;
        p.cancel = &later;
        p.progress = [&](uint64_t, uint64_t) {
            if (++calls == 3)
                later = true;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, RewardModel::load(testdata::tinyModel(), p));
        QCOMPARE(calls, 3);
    }
};

QTEST_APPLESS_MAIN(TestModelErrors)
#include "test_model_errors.moc"
