// Rows that continue prefixes, packed segment by segment for a
// variable-length kernel, against the masked attention the model has always
// used (model/attention.h). The packing runs here with the reference formula;
// FlashAttention's kernel itself needs a GPU (checked where there is one).
#include "model/attention.h"
#include "test_support.h"

#include <QtTest>

using namespace polar;

namespace {

torch::Tensor random(std::vector<int64_t> shape)
{
    return torch::randn(shape, torch::TensorOptions().dtype(torch::kFloat64));
}

// Prefixes padded to P with each one's real length, as a prefix pass leaves them.
LayerCache paddedPrefixes(const std::vector<int64_t> &lengths, int64_t nKV, int64_t P, int64_t D)
{
    const int64_t B = int64_t(lengths.size());
    return {random({B, nKV, P, D}), random({B, nKV, P, D}), visiblePositions(lengths, P, torch::kCPU)};
}

// Rows padded to T, each continuing entry[b] of a padded cache of `lengths`.
RowKeyLayout paddedRows(const std::vector<int64_t> &lengths, const std::vector<int64_t> &entry, int64_t T,
                        const torch::Device &device = torch::kCPU)
{
    return rowKeyLayout({lengths, {}}, entry, std::vector<int64_t>(entry.size(), T), device);
}

double largestDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestAttention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void layoutPutsEachRowsPrefixBeforeItsOwnKeys()
    {
        const auto l = paddedRows({3, 0, 2}, {0, 1, 2}, 2);
        QCOMPARE(l.cuQHost, (std::vector<int64_t>{0, 2, 4, 6}));
        QCOMPARE(l.cuKHost, (std::vector<int64_t>{0, 5, 7, 11}));
        QCOMPARE(l.maxQ, int64_t(2));
        QCOMPARE(l.maxK, int64_t(5));
        QCOMPARE(l.totalK, int64_t(11));
        auto list = [](const torch::Tensor &t) {
            std::vector<int64_t> v(size_t(t.numel()));
            std::copy(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel(), v.begin());
            return v;
        };
        QCOMPARE(list(l.prefixRow), (std::vector<int64_t>{0, 0, 0, 2, 2}));
        QCOMPARE(list(l.prefixPos), (std::vector<int64_t>{0, 1, 2, 0, 1}));
        QCOMPARE(list(l.prefixDest), (std::vector<int64_t>{0, 1, 2, 7, 8}));
        QCOMPARE(list(l.ownDest), (std::vector<int64_t>{3, 4, 5, 6, 9, 10}));
        QCOMPARE(l.cuK.scalar_type(), torch::kInt32);

        // One prefix that every row continues: row 0 of the cache for all.
        const auto shared = paddedRows({4}, {0, 0}, 3);
        QCOMPARE(shared.cuKHost, (std::vector<int64_t>{0, 7, 14}));
        QCOMPARE(list(shared.prefixRow), (std::vector<int64_t>(8, 0)));

        // Rows that continue entries in any order, some twice: read where they are.
        const auto mapped = paddedRows({3, 0, 2}, {2, 0, 2}, 1);
        QCOMPARE(mapped.cuKHost, (std::vector<int64_t>{0, 3, 7, 10}));
        QCOMPARE(list(mapped.prefixRow), (std::vector<int64_t>{2, 2, 0, 0, 0, 2, 2}));
        QCOMPARE(list(mapped.prefixDest), (std::vector<int64_t>{0, 1, 3, 4, 5, 7, 8}));

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, paddedRows({1, 2}, {0, 2}, 2));

        // The masked kernel's view of the same prefixes: their real positions.
        const auto visible = visiblePositions({3, 0, 2}, 4, torch::kCPU);
        QCOMPARE(visible.sizes(), (torch::IntArrayRef{3, 1, 1, 4}));
        const auto expected = torch::tensor({1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0}, torch::kBool).view({3, 1, 1, 4});
        QVERIFY(torch::equal(visible, expected));
    }

    // Rows packed token after token: each of its own length, reading a packed
    // cache at its entries' starts, or without prefixes at all.
    void layoutPacksRowsOfTheirOwnLengths()
    {
        auto list = [](const torch::Tensor &t) {
            std::vector<int64_t> v(size_t(t.numel()));
            std::copy(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel(), v.begin());
            return v;
        };
        // Entries of 3, 0 and 2 keys at 0, 3 and 3; rows of 1, 3 and 2 tokens.
        const auto l = rowKeyLayout({{3, 0, 2}, {0, 3, 3}}, {2, 0, 1}, {1, 3, 2}, torch::kCPU);
        QCOMPARE(l.cuQHost, (std::vector<int64_t>{0, 1, 4, 6}));
        QCOMPARE(l.cuKHost, (std::vector<int64_t>{0, 3, 9, 11}));
        QCOMPARE(l.maxQ, int64_t(3));
        QCOMPARE(l.maxK, int64_t(6));
        QCOMPARE(list(l.prefixRow), (std::vector<int64_t>(5, 0)));
        QCOMPARE(list(l.prefixPos), (std::vector<int64_t>{3, 4, 0, 1, 2}));
        QCOMPARE(list(l.prefixDest), (std::vector<int64_t>{0, 1, 3, 4, 5}));
        QCOMPARE(list(l.ownDest), (std::vector<int64_t>{2, 6, 7, 8, 9, 10}));

        const auto none = rowKeyLayout({}, {}, {2, 1}, torch::kCPU);
        QCOMPARE(none.cuKHost, (std::vector<int64_t>{0, 2, 3}));
        QCOMPARE(none.prefixDest.numel(), int64_t(0));
        QCOMPARE(list(none.ownDest), (std::vector<int64_t>{0, 1, 2}));

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rowKeyLayout({{3}, {}}, {0}, {1, 2}, torch::kCPU));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rowKeyLayout({}, {}, {2, 0}, torch::kCPU));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rowKeyLayout({{3, 2}, {0}}, {1}, {1}, torch::kCPU));
    }

    void packedRowsEqualMaskedAttention_data()
    {
        QTest::addColumn<int>("G");
        QTest::addColumn<int>("T");
        QTest::newRow("one query head per kv head") << 1 << 6;
        QTest::newRow("two (POLAR-1.8B)") << 2 << 6;
        QTest::newRow("four (POLAR-7B)") << 4 << 5;
        QTest::newRow("one token per row") << 2 << 1;
    }

    void packedRowsEqualMaskedAttention()
    {
        QFETCH(int, G);
        QFETCH(int, T);
        const int64_t nKV = 2, D = 8, P = 7;
        const std::vector<int64_t> lengths = {7, 3, 0, 5}; // one prefix empty
        const int64_t B = int64_t(lengths.size());
        const auto q = random({B, nKV, G, T, D}), k = random({B, nKV, T, D}), v = random({B, nKV, T, D});
        const LayerCache past = paddedPrefixes(lengths, nKV, P, D);
        const auto want = maskedAttention(q, k, v, &past);
        const auto got = packedAttention(q, k, v, &past, paddedRows(lengths, {0, 1, 2, 3}, T), varlenReference);
        QCOMPARE(got.sizes(), want.sizes());
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 1e-12, qPrintable(QString("packed differs from masked by %1").arg(diff)));
    }

    void oneSharedPrefixEqualsMaskedAttention()
    {
        const int64_t B = 3, nKV = 2, G = 2, T = 4, D = 8, P = 6;
        const auto q = random({B, nKV, G, T, D}), k = random({B, nKV, T, D}), v = random({B, nKV, T, D});
        const LayerCache past{random({1, nKV, P, D}), random({1, nKV, P, D}), {}};
        const auto want = maskedAttention(q, k, v, &past);
        const auto got = packedAttention(q, k, v, &past, paddedRows({P}, {0, 0, 0}, T), varlenReference);
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 1e-12, qPrintable(QString("packed differs from masked by %1").arg(diff)));
    }

    // Rows read their prefixes straight from a cache of three entries: the
    // same as the masked kernel over the entries copied out row by row.
    void rowsReadTheirEntriesFromTheCache()
    {
        const int64_t nKV = 2, G = 2, T = 3, D = 8, P = 6;
        const std::vector<int64_t> lengths = {6, 2, 4};
        const std::vector<int64_t> entry = {2, 0, 2, 1, 0};
        const int64_t B = int64_t(entry.size());
        const auto q = random({B, nKV, G, T, D}), k = random({B, nKV, T, D}), v = random({B, nKV, T, D});
        const LayerCache cache = paddedPrefixes(lengths, nKV, P, D);
        const auto index = torch::tensor(entry, torch::kLong);
        const LayerCache rows{cache.key.index_select(0, index), cache.value.index_select(0, index), cache.visible.index_select(0, index)};
        const auto want = maskedAttention(q, k, v, &rows);
        const auto got = packedAttention(q, k, v, &cache, paddedRows(lengths, entry, T), varlenReference);
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 1e-12, qPrintable(QString("packed differs from masked by %1").arg(diff)));
    }

    // Rows of different lengths packed token after token, against each row
    // padded to the longest and attended by the masked kernel: the same at
    // every real position, reading a packed cache as a padded one.
    void tokenPackedRowsEqualPaddedRows()
    {
        const int64_t nKV = 2, G = 2, D = 8, P = 6, T = 4;
        const std::vector<int64_t> lengths = {6, 2, 0, 4};
        const std::vector<int64_t> entry = {1, 0, 3, 2, 0}, own = {3, 1, 4, 2, 4};
        const int64_t B = int64_t(entry.size());
        const auto q = random({B, nKV, G, T, D}), k = random({B, nKV, T, D}), v = random({B, nKV, T, D});
        const LayerCache cache = paddedPrefixes(lengths, nKV, P, D);
        const auto index = torch::tensor(entry, torch::kLong);
        const LayerCache rows{cache.key.index_select(0, index), cache.value.index_select(0, index), cache.visible.index_select(0, index)};
        const auto padded = maskedAttention(q, k, v, &rows); // [B, nKV, G, T, D]

        // Row b's first own[b] positions, one row after another along `dim`.
        auto pack = [&](const torch::Tensor &x, int64_t dim) {
            std::vector<torch::Tensor> parts;
            for (int64_t b = 0; b < B; ++b)
                parts.push_back(x.slice(0, b, b + 1).slice(dim, 0, own[size_t(b)]));
            return torch::cat(parts, dim);
        };
        const auto want = pack(padded, 3);
        std::vector<torch::Tensor> keys, values;
        std::vector<int64_t> starts;
        int64_t at = 0;
        for (size_t e = 0; e < lengths.size(); ++e) {
            keys.push_back(cache.key[int64_t(e)].slice(1, 0, lengths[e]));
            values.push_back(cache.value[int64_t(e)].slice(1, 0, lengths[e]));
            starts.push_back(at);
            at += lengths[e];
        }
        const LayerCache packedCache{torch::cat(keys, 1).unsqueeze(0), torch::cat(values, 1).unsqueeze(0), {}};
        const auto got = packedAttention(pack(q, 3), pack(k, 2), pack(v, 2), &packedCache,
                                         rowKeyLayout({lengths, starts}, entry, own, torch::kCPU), varlenReference);
        QCOMPARE(got.sizes(), want.sizes());
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 1e-12, qPrintable(QString("packed differs from padded by %1").arg(diff)));
        const auto fromPadded = packedAttention(pack(q, 3), pack(k, 2), pack(v, 2), &cache,
                                                rowKeyLayout({lengths, {}}, entry, own, torch::kCPU), varlenReference);
        QVERIFY(largestDifference(fromPadded, want) < 1e-12);
    }

    // One query per row, the one a value head reads, against the full
    // attention at that position: rows padded to T, ending anywhere, without
    // a prefix, with one every row shares, or with padded prefixes of their own.
    void lastQueryEqualsFullAttentionAtTheRowsEnd_data()
    {
        QTest::addColumn<int>("G");
        QTest::addColumn<QString>("prefix");
        for (const char *prefix : {"none", "shared", "per row"}) {
            QTest::newRow(qPrintable(QString("G=1, %1").arg(prefix))) << 1 << QString(prefix);
            QTest::newRow(qPrintable(QString("G=4, %1").arg(prefix))) << 4 << QString(prefix);
        }
    }

    void lastQueryEqualsFullAttentionAtTheRowsEnd()
    {
        QFETCH(int, G);
        QFETCH(QString, prefix);
        const int64_t nKV = 2, T = 5, D = 8, P = 6;
        const std::vector<int64_t> last = {4, 0, 2, 4}; // a one-token row, a padded one
        const int64_t B = int64_t(last.size());
        const auto q = random({B, nKV, G, T, D}), k = random({B, nKV, T, D}), v = random({B, nKV, T, D});
        LayerCache past;
        if (prefix == "shared")
            past = {random({1, nKV, P, D}), random({1, nKV, P, D}), {}};
        else if (prefix == "per row")
            past = paddedPrefixes({6, 3, 0, 5}, nKV, P, D);
        const LayerCache *cache = prefix == "none" ? nullptr : &past;
        const auto index = torch::tensor(last, torch::kLong);
        const auto full = maskedAttention(q, k, v, cache); // [B, nKV, G, T, D]
        const auto want = full.gather(3, index.view({B, 1, 1, 1, 1}).expand({B, nKV, G, 1, D}));
        const auto got = lastQueryAttention(q, k, v, cache, index);
        QCOMPARE(got.sizes(), want.sizes());
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 1e-12, qPrintable(QString("last query differs from full attention by %1").arg(diff)));
        // The ends are read, not assumed: another end gives another result.
        const auto early = lastQueryAttention(q, k, v, cache, torch::tensor(std::vector<int64_t>{3, 0, 2, 4}, torch::kLong));
        QVERIFY(largestDifference(early, want) > 1e-3);
    }

    // The same for rows packed token after token and attended segment by
    // segment: one query per segment reads the keys every query read.
    void lastQueryLayoutKeepsTheKeysOfEverySegment()
    {
        const int64_t nKV = 2, G = 2, D = 8, P = 6;
        const std::vector<int64_t> lengths = {6, 2, 0, 4};
        const std::vector<int64_t> entry = {1, 0, 3, 2}, own = {3, 1, 4, 2};
        const int64_t N = 10;
        const auto q = random({1, nKV, G, N, D}), k = random({1, nKV, N, D}), v = random({1, nKV, N, D});
        const LayerCache cache = paddedPrefixes(lengths, nKV, P, D);
        const auto layout = rowKeyLayout({lengths, {}}, entry, own, torch::kCPU);
        const auto last = lastQueryLayout(layout);
        QCOMPARE(last.cuQHost, (std::vector<int64_t>{0, 1, 2, 3, 4}));
        QCOMPARE(last.cuQ.scalar_type(), torch::kInt32);
        QCOMPARE(last.maxQ, int64_t(1));
        QCOMPARE(last.cuKHost, layout.cuKHost);
        QCOMPARE(last.totalK, layout.totalK);
        const auto ends = torch::tensor(std::vector<int64_t>{2, 3, 7, 9}, torch::kLong); // cuQHost[b + 1] - 1
        QVERIFY(torch::equal(segmentEnds(layout), ends));
        const auto want = packedAttention(q, k, v, &cache, layout, varlenReference).index_select(3, ends);
        const auto got = packedAttention(q.index_select(3, ends), k, v, &cache, last, varlenReference);
        QCOMPARE(got.sizes(), want.sizes());
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 1e-12, qPrintable(QString("last query differs from every query by %1").arg(diff)));
    }

    // Prefixes themselves, packed token after token without a cache: causal
    // attention row by row.
    void packedRowsWithoutPrefixesAreCausal()
    {
        const int64_t nKV = 2, G = 2, D = 8;
        const std::vector<int64_t> own = {5, 1, 3};
        std::vector<torch::Tensor> qs, ks, vs, want;
        for (int64_t T : own) {
            qs.push_back(random({1, nKV, G, T, D}));
            ks.push_back(random({1, nKV, T, D}));
            vs.push_back(random({1, nKV, T, D}));
            want.push_back(maskedAttention(qs.back(), ks.back(), vs.back(), nullptr));
        }
        const auto layout = rowKeyLayout({}, {}, own, torch::kCPU);
        const auto got = packedAttention(torch::cat(qs, 3), torch::cat(ks, 2), torch::cat(vs, 2), nullptr, layout, varlenReference);
        const double diff = largestDifference(got, torch::cat(want, 3));
        QVERIFY2(diff < 1e-12, qPrintable(QString("packed differs from causal by %1").arg(diff)));
        // A layout that reads prefixes needs the cache it reads them from.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 packedAttention(torch::cat(qs, 3), torch::cat(ks, 2), torch::cat(vs, 2), nullptr,
                                                 rowKeyLayout({{2}, {}}, {0, 0, 0}, own, torch::kCPU), varlenReference));
    }

    // A mistake in the packing must show: rows swapped between prefixes, or
    // the causal mask aligned to the segment's start, change the result.
    void theComparisonSeesMisplacedKeys()
    {
        const int64_t nKV = 1, G = 2, T = 3, D = 4, P = 5;
        const std::vector<int64_t> lengths = {5, 2};
        const auto q = random({2, nKV, G, T, D}), k = random({2, nKV, T, D}), v = random({2, nKV, T, D});
        const LayerCache past = paddedPrefixes(lengths, nKV, P, D);
        const auto want = maskedAttention(q, k, v, &past);
        const auto swapped = packedAttention(q, k, v, &past, paddedRows(lengths, {1, 0}, T), varlenReference);
        QVERIFY(largestDifference(swapped, want) > 1e-3);
        // Top-left alignment: queries see only the first T keys of their segment.
        VarlenKernel topLeft = [](const torch::Tensor &qs, const torch::Tensor &ks, const torch::Tensor &vs, const RowKeyLayout &l) {
            std::vector<torch::Tensor> rows;
            for (size_t b = 0; b + 1 < l.cuQHost.size(); ++b) {
                RowKeyLayout one = l;
                one.cuQHost = {0, l.cuQHost[b + 1] - l.cuQHost[b]};
                one.cuKHost = {0, l.cuQHost[b + 1] - l.cuQHost[b]};
                rows.push_back(varlenReference(qs.slice(0, l.cuQHost[b], l.cuQHost[b + 1]),
                                               ks.slice(0, l.cuKHost[b], l.cuKHost[b] + one.cuKHost[1]),
                                               vs.slice(0, l.cuKHost[b], l.cuKHost[b] + one.cuKHost[1]), one));
            }
            return torch::cat(rows, 0);
        };
        const auto misaligned = packedAttention(q, k, v, &past, paddedRows(lengths, {0, 1}, T), topLeft);
        QVERIFY(largestDifference(misaligned, want) > 1e-3);
    }

    void packedReferenceIsChosenOnlyWhenListed()
    {
        QVERIFY(packedPrefixKernel(torch::kCPU, torch::kFloat32, 8, 2) == nullptr);
        qputenv("POLAR_KERNELS", "packed-reference");
        const VarlenKernel listed = packedPrefixKernel(torch::kCPU, torch::kFloat32, 8, 2);
        qunsetenv("POLAR_KERNELS");
        QVERIFY(listed == &varlenReference);
    }

    void flashKernelIsUsedOnlyWhereItServes()
    {
        std::string why;
        QVERIFY(!flashVarlenUsable(torch::kCPU, torch::kBFloat16, 128, 2, &why));
        QVERIFY2(!why.empty(), "a reason is given");
        if (!torch::cuda::is_available())
            QSKIP("skipped: no CUDA device, so FlashAttention's variable-length kernel is checked by scripts/gpu-check.sh on a GPU machine");
        const torch::Device gpu(torch::kCUDA, 0);
        QVERIFY(!flashVarlenUsable(gpu, torch::kFloat32, 128, 2, &why)); // FlashAttention has no fp32
        QVERIFY2(flashVarlenUsable(gpu, torch::kBFloat16, 128, 2, &why), why.c_str());
        // And on real sizes, against the masked kernel.
        const int64_t nKV = 8, G = 2, T = 37, D = 128, P = 301;
        const std::vector<int64_t> lengths = {301, 17, 0, 250};
        const int64_t B = int64_t(lengths.size());
        auto on = [&](const torch::Tensor &x) { return x.to(gpu, torch::kBFloat16); };
        const auto q = on(random({B, nKV, G, T, D})), k = on(random({B, nKV, T, D})), v = on(random({B, nKV, T, D}));
        LayerCache past = paddedPrefixes(lengths, nKV, P, D);
        past = {on(past.key), on(past.value), past.visible.to(gpu)};
        const auto want = maskedAttention(q, k, v, &past).to(torch::kFloat32);
        const auto got = packedAttention(q, k, v, &past, paddedRows(lengths, {0, 1, 2, 3}, T, gpu), flashVarlen).to(torch::kFloat32);
        const double diff = largestDifference(got, want);
        QVERIFY2(diff < 0.05, qPrintable(QString("FlashAttention differs from masked by %1").arg(diff)));
    }
};

QTEST_GUILESS_MAIN(TestAttention)
#include "test_attention.moc"
