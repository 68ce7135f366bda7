// Rotary embeddings with linear and dynamic NTK scaling, against numbers
// computed independently from the Hugging Face / InternLM2 formulas:
//   linear:  angle(p, i) = (p / factor) * theta^(-2i/D)
//   dynamic: base = theta * (factor * len / max_pos - (factor - 1))^(D / (D - 2)),
//            angle(p, i) = p * base^(-2i/D)
// (tiny-polar's shape: D = 16, theta = 1e6, max_position_embeddings 4096;
// the expected values below were computed with Python's math module).
#include "model/config.h"
#include "model/internlm2_model.h"
#include "test_support.h"

#include <QtTest>

using namespace polar;

namespace {

ModelConfig tiny(RopeScaling::Type type)
{
    ModelConfig c = loadModelConfig(testdata::tinyModel() + "/config.json");
    c.ropeScaling.type = type;
    c.ropeScaling.factor = 2.0;
    return c;
}

struct Expected
{
    int64_t position, pair;
    double cos, sin;
};

void check(const ModelConfig &c, int64_t rowLength, const std::vector<Expected> &expected)
{
    auto [cos, sin] = ropeCosSin(c, {rowLength}, {0}, 8, torch::kFloat32, torch::kCPU);
    const int64_t half = c.headDim() / 2;
    for (const auto &e : expected)
        for (int64_t column : {e.pair, e.pair + half}) { // both halves carry the same angle
            const double gotCos = cos.view({-1, c.headDim()})[e.position][column].item<double>();
            const double gotSin = sin.view({-1, c.headDim()})[e.position][column].item<double>();
            QVERIFY2(std::fabs(gotCos - e.cos) < 1e-6, qPrintable(QString("cos(p=%1, i=%2) = %3, expected %4").arg(e.position).arg(e.pair).arg(gotCos).arg(e.cos)));
            QVERIFY2(std::fabs(gotSin - e.sin) < 1e-6, qPrintable(QString("sin(p=%1, i=%2) = %3, expected %4").arg(e.position).arg(e.pair).arg(gotSin).arg(e.sin)));
        }
}

} // namespace

class TestRope : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linearScalingDividesPositions()
    {
        check(tiny(RopeScaling::Type::Linear), 10,
              {{3, 0, 0.0707372016677029, 0.9974949866040544},
               {5, 1, 0.9027957422636914, 0.4300695847773363},
               {7, 7, 0.9999999998063105, 1.968194638039149e-05}});
    }

    void dynamicScalingStretchesTheBaseForLongRows()
    {
        // A row of 10000 tokens, past max_position_embeddings (4096): the base grows.
        check(tiny(RopeScaling::Type::Dynamic), 10000,
              {{3, 0, -0.9899924966004454, 0.1411200080598672},
               {5, 1, 0.7435064790920506, 0.6687287309127238},
               {7, 7, 0.9999999999486107, 1.0137984453962209e-05}});
        // Within max_position_embeddings nothing changes: the unscaled angles.
        auto [cos, sin] = ropeCosSin(tiny(RopeScaling::Type::Dynamic), {100}, {0}, 8, torch::kFloat32, torch::kCPU);
        auto [plainCos, plainSin] = ropeCosSin(tiny(RopeScaling::Type::None), {100}, {0}, 8, torch::kFloat32, torch::kCPU);
        QVERIFY(torch::equal(cos, plainCos) && torch::equal(sin, plainSin));
    }

    void offsetContinuesAPrefix()
    {
        // Positions [P, P + T) of a continuation are the same rows of one longer table.
        const ModelConfig c = tiny(RopeScaling::Type::Linear);
        auto [whole, wholeSin] = ropeCosSin(c, {12}, {0}, 12, torch::kFloat32, torch::kCPU);
        auto [tail, tailSin] = ropeCosSin(c, {12}, {5}, 7, torch::kFloat32, torch::kCPU);
        QVERIFY(torch::allclose(whole.slice(2, 5), tail));
        QVERIFY(torch::allclose(wholeSin.slice(2, 5), tailSin));
    }

    void rowsContinueFromTheirOwnStarts()
    {
        // Rows continuing prefixes of different lengths: row b's table is rows
        // [offset_b, offset_b + T) of its own whole table, also under dynamic NTK.
        for (auto type : {RopeScaling::Type::None, RopeScaling::Type::Linear, RopeScaling::Type::Dynamic}) {
            const ModelConfig c = tiny(type);
            const std::vector<int64_t> lengths = {9000, 12, 30}, offsets = {3, 0, 20};
            auto [cos, sin] = ropeCosSin(c, lengths, offsets, 6, torch::kFloat32, torch::kCPU);
            QCOMPARE(cos.size(0), int64_t(3));
            for (size_t b = 0; b < lengths.size(); ++b) {
                auto [whole, wholeSin] = ropeCosSin(c, {lengths[b]}, {0}, offsets[b] + 6, torch::kFloat32, torch::kCPU);
                QVERIFY(torch::allclose(cos[int64_t(b)], whole[0].slice(1, offsets[b])));
                QVERIFY(torch::allclose(sin[int64_t(b)], wholeSin[0].slice(1, offsets[b])));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestRope)
#include "test_rope.moc"
