// Loading weights lean: the bit-level widening against torch's own conversion
// for every bf16 and f16 value, the placer's routes (zero copy, widened, staged
// in chunks as on a GPU) against the stored values, pages given back without
// losing data, and load progress by bytes.
#include "model/float_bits.h"
#include "model/reward_model.h"
#include "model/safetensors_writer.h"
#include "model/weight_placement.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace polar;

namespace {

// Every 16-bit pattern, as stored bytes.
std::vector<std::byte> allPatterns()
{
    std::vector<std::byte> bytes(65536 * 2);
    for (uint32_t i = 0; i < 65536; ++i) {
        const uint16_t w = uint16_t(i);
        std::memcpy(bytes.data() + 2 * i, &w, 2);
    }
    return bytes;
}

bool finitePattern(uint16_t w, SafetensorsDType t)
{
    const uint16_t e = t == SafetensorsDType::BF16 ? 0x7f80 : 0x7c00;
    return (w & e) != e;
}

// Bytes of a small test tensor of dtype `t` whose values are i * 0.25 - 3.
std::string valuesOf(SafetensorsDType t, int64_t count)
{
    auto f = torch::arange(count, torch::kFloat32) * 0.25 - 3.0;
    auto s = f.to(torchDtype(t)).contiguous();
    return std::string(static_cast<const char *>(s.data_ptr()), size_t(s.numel() * s.element_size()));
}

torch::Tensor expectedValues(int64_t count) { return torch::arange(count, torch::kFloat32) * 0.25 - 3.0; }

} // namespace

class TestWeightLoading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void widensEveryBf16AndF16ValueExactlyAsTorch_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::newRow("bf16") << int(SafetensorsDType::BF16);
        QTest::newRow("f16") << int(SafetensorsDType::F16);
    }
    void widensEveryBf16AndF16ValueExactlyAsTorch()
    {
        QFETCH(int, dtype);
        const auto t = SafetensorsDType(dtype);
        const auto bytes = allPatterns();
        // Only the finite ones: widening refuses NaN and infinity.
        std::vector<std::byte> finite;
        std::vector<uint16_t> kept;
        for (uint32_t i = 0; i < 65536; ++i)
            if (finitePattern(uint16_t(i), t)) {
                finite.insert(finite.end(), bytes.begin() + 2 * i, bytes.begin() + 2 * i + 2);
                kept.push_back(uint16_t(i));
            }
        const size_t n = kept.size();
        std::vector<float> ours(n);
        QVERIFY(widenToFloat32(finite.data(), n, t, ours.data()));
        auto theirs = torch::from_blob(finite.data(), {int64_t(n)}, torchDtype(t)).to(torch::kFloat32).contiguous();
        const uint32_t *a = reinterpret_cast<const uint32_t *>(ours.data());
        const uint32_t *b = reinterpret_cast<const uint32_t *>(theirs.data_ptr<float>());
        for (size_t i = 0; i < n; ++i)
            QVERIFY2(a[i] == b[i], qPrintable(QString("pattern 0x%1: ours %2, torch %3").arg(kept[i], 4, 16, QChar('0'))
                                                  .arg(ours[i]).arg(theirs[int64_t(i)].item<float>())));
    }

    void widenReportsNaNAndInfinityAnywhere()
    {
        for (auto t : {SafetensorsDType::BF16, SafetensorsDType::F16}) {
            const uint16_t inf = t == SafetensorsDType::BF16 ? 0x7f80 : 0x7c00;
            const uint16_t nan = uint16_t(inf | 1);
            // Long enough to be split across threads; the bad value in the last block.
            const size_t n = (size_t(3) << 20) + 5;
            std::vector<uint16_t> src(n, 0x3c00 & 0x3f80); // finite in both formats
            std::vector<float> dst(n);
            QVERIFY(widenToFloat32(reinterpret_cast<const std::byte *>(src.data()), n, t, dst.data()));
            for (uint16_t bad : {inf, nan, uint16_t(inf | 0x8000)}) {
                src[n - 2] = bad;
                QVERIFY(!widenToFloat32(reinterpret_cast<const std::byte *>(src.data()), n, t, dst.data()));
                QVERIFY(!allFinite(reinterpret_cast<const std::byte *>(src.data()), n, t));
            }
            src[n - 2] = 0;
        }
        std::vector<float> out(1);
        const float x = 1;
        QVERIFY_THROWS_EXCEPTION(Error, widenToFloat32(reinterpret_cast<const std::byte *>(&x), 1, SafetensorsDType::F32,
                                                       out.data()));
    }

    // One file, mapped, with tensors of each stored dtype at odd sizes (so
    // tensors straddle pages and chunks), through each route of the placer.
    void placesEveryRouteWithTheStoredValues()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.safetensors").toStdString();
        const std::vector<TensorSpec> specs = {
            {"a.bf16", SafetensorsDType::BF16, {3, 1001}},
            {"b.f16", SafetensorsDType::F16, {2500}},
            {"c.f32", SafetensorsDType::F32, {7, 333}},
            {"d.bf16", SafetensorsDType::BF16, {5000}},
        };
        writeSafetensors(path, specs, [](const TensorSpec &s, std::string &out) {
            out = valuesOf(s.dtype, int64_t(s.nbytes() / dtypeSize(s.dtype)));
        });
        auto file = SafetensorsFile::open(path);
        struct Route
        {
            const char *name;
            torch::Dtype compute;
            size_t staging;
            bool staged;
        };
        for (const Route &r : {Route{"host fp32", torch::kFloat32, WeightPlacer::kStagingBytes, false},
                               Route{"host bf16", torch::kBFloat16, WeightPlacer::kStagingBytes, false},
                               Route{"staged fp32, 40-byte chunks", torch::kFloat32, 40, true},
                               Route{"staged bf16, 4 KiB chunks", torch::kBFloat16, 4096, true}}) {
            WeightPlacer placer(torch::kCPU, r.compute, r.staging, r.staged);
            uint64_t stored = 0;
            for (const auto &s : specs) {
                const TensorView &v = file->tensors().at(s.name);
                const auto t = placer.place(v);
                stored += v.nbytes;
                QCOMPARE(t.scalar_type(), r.compute);
                QCOMPARE(t.sizes().vec(), s.shape);
                // The values as stored (bf16 rounds some of them), then as computed.
                const auto want = expectedValues(t.numel()).view(s.shape).to(torchDtype(s.dtype)).to(r.compute);
                QVERIFY2(torch::equal(t, want), qPrintable(QString("%1: %2").arg(r.name, QString::fromStdString(s.name))));
                // Zero copy exactly where the stored dtype is the compute dtype on
                // the host and the bytes are aligned for it (c.f32 here is not).
                const bool aligned = reinterpret_cast<uintptr_t>(v.data) % dtypeSize(v.dtype) == 0;
                const bool zeroCopy = t.data_ptr() == static_cast<const void *>(v.data);
                QCOMPARE(zeroCopy, !r.staged && aligned && torchDtype(v.dtype) == r.compute);
                if (s.name == "c.f32")
                    QVERIFY(!aligned);
            }
            placer.finish();
            QCOMPARE(placer.fileBytes(), stored);
        }
        // Pages given back are only a hint: the file's values read back intact.
        for (const auto &s : specs) {
            const TensorView &v = file->tensors().at(s.name);
            QVERIFY(std::memcmp(v.data, valuesOf(s.dtype, int64_t(v.nbytes / dtypeSize(v.dtype))).data(), v.nbytes) == 0);
        }
    }

    void namesTheDamagedTensorOnEveryRoute()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.safetensors").toStdString();
        writeSafetensors(path, {{"good", SafetensorsDType::BF16, {64}}, {"layers.3.bad", SafetensorsDType::BF16, {9000}}},
                         [](const TensorSpec &s, std::string &out) {
                             out = valuesOf(s.dtype, 9000).substr(0, s.nbytes());
                             if (s.name == "layers.3.bad") {
                                 const uint16_t nan = 0x7fc1;
                                 std::memcpy(out.data() + 2 * 8999, &nan, 2);
                             }
                         });
        auto file = SafetensorsFile::open(path);
        for (auto compute : {torch::kFloat32, torch::kBFloat16})
            for (bool staged : {false, true}) {
                WeightPlacer placer(torch::kCPU, compute, 1024, staged);
                placer.place(file->tensors().at("good"));
                try {
                    placer.place(file->tensors().at("layers.3.bad"));
                    placer.finish(); // the staged route checks on the device and reports here
                    QFAIL("a NaN weight was accepted");
                } catch (const Error &e) {
                    const QString what = QString::fromUtf8(e.what());
                    QVERIFY2(what.contains("'layers.3.bad'") && what.contains("w.safetensors") && what.contains("NaN"),
                             qPrintable(what));
                }
            }
    }

    void loadReportsProgressInBytesUpToTheWholeCheckpoint()
    {
        std::vector<std::pair<uint64_t, uint64_t>> calls;
        LoadOptions o;
        o.progress = [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
        auto model = RewardModel::load(testdata::tinyShardedModel(), o);
        QVERIFY(calls.size() > 2);
        for (size_t i = 1; i < calls.size(); ++i) {
            QVERIFY(calls[i].first > calls[i - 1].first);
            QCOMPARE(calls[i].second, calls[0].second);
        }
        QCOMPARE(calls.back().first, calls.back().second);
        QCOMPARE(calls.back().second, model->info().fileBytes);
    }
};

QTEST_GUILESS_MAIN(TestWeightLoading)
#include "test_weight_loading.moc"
