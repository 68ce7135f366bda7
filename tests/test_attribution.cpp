// Attribution on the tiny fixture model: each method checked against what it
// claims to measure.
#include "attribution/attribution.h"
#include "model/reward_model.h"
#include "scoring/scorer.h"
#include "test_support.h"

#include <QtTest>

#include <cmath>

using namespace polar;

namespace {

const TextField kPrompt = TextField::fromString("How many 'r's are there in the word 'strawberry'?");
const TextField kReference = TextField::fromString("There are 3 'r's in the word 'strawberry'.");
const TextField kOutput = TextField::fromString("Let's count: s, t, r, a, w, b, e, r, r, y. There are three 'r's.");

} // namespace

class TestAttribution : public QObject
{
    Q_OBJECT

    std::unique_ptr<RewardModel> m_model;
    PolarInput m_input;

    float scoreText(const TextField &output)
    {
        const auto r = scoreSequences(*m_model, {m_model->encoder().encode(kPrompt, kReference, output).ids});
        return r[0].reward;
    }

    AttributionResult run(AttributionOptions o, const TextField &output = kOutput)
    {
        const PolarInput in = m_model->encoder().encode(kPrompt, kReference, output);
        return attribute(*m_model, in, kPrompt, kReference, output, o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        LoadOptions lo;
        lo.device = Device::Cpu;
        lo.dtype = ComputeDType::F32;
        m_model = RewardModel::load(testdata::tinyModel(), lo);
        m_input = m_model->encoder().encode(kPrompt, kReference, kOutput);
    }

    void gradientTimesInputMatchesFiniteDifferences()
    {
        const AttributionResult r = run({});
        QCOMPARE(r.tokenValues.size(), m_input.ids.size());
        QVERIFY(std::fabs(r.reward - scoreText(kOutput)) < 1e-5);
        // d reward / d scale of token k's embedding, at scale 1, is grad_k . e_k.
        const double eps = 1e-2;
        int checked = 0;
        for (size_t k = 1; k < m_input.ids.size(); k += 7) {
            const double up = rewardWithTokenScaled(*m_model, m_input.ids, k, 1 + eps);
            const double down = rewardWithTokenScaled(*m_model, m_input.ids, k, 1 - eps);
            const double fd = (up - down) / (2 * eps);
            QVERIFY2(std::fabs(fd - r.tokenValues[k]) <= 2e-3 + 1e-2 * std::fabs(fd),
                     qPrintable(QString("token %1: finite difference %2, gradient x input %3").arg(k).arg(fd).arg(r.tokenValues[k])));
            ++checked;
        }
        QVERIFY(checked >= 10);
    }

    void batchedGradientsEqualSingle()
    {
        const PolarInput other = m_model->encoder().encode(kPrompt, kReference, TextField::fromString("Two."));
        const auto batch = gradientTimesInputBatch(*m_model, {m_input, other}, {});
        const auto single = gradientTimesInputBatch(*m_model, {other}, {});
        QCOMPARE(batch[1].tokenValues.size(), other.ids.size());
        for (size_t k = 0; k < other.ids.size(); ++k)
            QVERIFY(std::fabs(batch[1].tokenValues[k] - single[0].tokenValues[k]) < 1e-4);
    }

    void integratedGradientsAreComplete()
    {
        AttributionOptions o;
        o.method = AttributionMethod::IntegratedGradients;
        o.steps = 64;
        o.baseline = IgBaseline::Zero;
        o.batchTokens = 1024; // several passes along the path
        size_t progressCalls = 0;
        o.progress = [&](size_t, size_t) { ++progressCalls; };
        const AttributionResult r = run(o);
        QVERIFY2(r.completenessError < 0.01, qPrintable(QString("completeness error %1 (sum %2, reward %3, baseline %4)")
                                                            .arg(r.completenessError).arg(r.contributionSum).arg(r.reward).arg(r.baselineReward)));
        QVERIFY(progressCalls > 1);
        QCOMPARE(r.tokenValues.front(), 0.0); // BOS stays at its embedding
        AttributionOptions pad = o;
        pad.baseline = IgBaseline::PadEmbedding;
        const AttributionResult p = run(pad);
        QVERIFY(p.completenessError < 0.01);
        QVERIFY(std::fabs(p.baselineReward - r.baselineReward) > 1e-4); // a different baseline
    }

    void occlusionIsTheRewardWithoutTheWord()
    {
        AttributionOptions o;
        o.method = AttributionMethod::Occlusion;
        const AttributionResult r = run(o);
        const auto words = textUnits(kOutput.text, Granularity::Word);
        QCOMPARE(r.occludedUnits.size(), words.size());
        // "three" removed, scored on its own.
        size_t idx = 0;
        while (r.occludedUnits[idx].text != "three")
            ++idx;
        const std::string without = "Let's count: s, t, r, a, w, b, e, r, r, y. There are 'r's.";
        const double expected = double(r.reward) - double(scoreText(TextField::fromString(without)));
        QVERIFY2(std::fabs(r.occludedUnits[idx].value - expected) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(r.occludedUnits[idx].value).arg(expected)));
        // The drop is painted on the word's tokens in the encoded text.
        const auto &u = r.occludedUnits[idx];
        QCOMPARE(QString::fromStdString(m_input.text.substr(u.begin, u.end - u.begin)).trimmed(), QString("three"));
        QCOMPARE(r.tokenValues[u.firstToken], u.value);
    }

    void rewardCurveEndsAtTheReward()
    {
        AttributionOptions o;
        o.method = AttributionMethod::RewardCurve;
        o.batchTokens = 2000;
        const AttributionResult r = run(o);
        size_t outputTokens = 0;
        for (const auto &t : m_input.tokens)
            outputTokens += t.segment == Segment::Output;
        QCOMPARE(r.prefixRewards.size(), outputTokens + 1);
        QVERIFY(std::fabs(r.prefixRewards.back() - scoreText(kOutput)) < 1e-5);
        // The empty-output point is the reward of an empty output.
        QVERIFY(std::fabs(r.prefixRewards.front() - scoreText(TextField::fromString(""))) < 1e-5);
        // Token values telescope to the whole rise.
        double sum = 0;
        for (double v : r.tokenValues)
            sum += v;
        QVERIFY(std::fabs(sum - (r.prefixRewards.back() - r.prefixRewards.front())) < 1e-4);
    }

    void aggregationSumsTokenValues()
    {
        const AttributionResult r = run({});
        for (Granularity g : {Granularity::Word, Granularity::Sentence, Granularity::Line}) {
            const auto spans = aggregateAttribution(m_input, r.tokenValues, g);
            double total = 0, tokensTotal = 0;
            for (const auto &s : spans)
                total += s.value;
            for (size_t k = 0; k < m_input.tokens.size(); ++k)
                if (m_input.tokens[k].end > m_input.tokens[k].begin)
                    tokensTotal += r.tokenValues[k];
            QVERIFY2(std::fabs(total - tokensTotal) < 1e-6, granularityName(g));
        }
        // Words of the output: "three" holds exactly the values of its tokens.
        const auto words = aggregateAttribution(m_input, r.tokenValues, Granularity::Word);
        int found = 0;
        for (const auto &w : words) {
            if (w.segment != Segment::Output || w.text != "three")
                continue;
            double sum = 0;
            for (size_t k = w.firstToken; k <= w.lastToken; ++k)
                sum += r.tokenValues[k];
            QVERIFY(std::fabs(sum - w.value) < 1e-9);
            QCOMPARE(QString::fromStdString(kOutput.text.substr(size_t(w.fieldBegin), size_t(w.fieldEnd - w.fieldBegin))), QString("three"));
            ++found;
        }
        QCOMPARE(found, 1);
    }

    void unitsAndCosts()
    {
        const std::string t = "First one. Second!  Third?\nNew line here";
        QCOMPARE(int(textUnits(t, Granularity::Word).size()), 7);
        const auto sentences = textUnits(t, Granularity::Sentence);
        QCOMPARE(int(sentences.size()), 4);
        QCOMPARE(QString::fromStdString(t.substr(sentences[1].first, sentences[1].second - sentences[1].first)), QString("Second!"));
        QCOMPARE(int(textUnits(t, Granularity::Line).size()), 2);
        AttributionOptions o;
        o.method = AttributionMethod::IntegratedGradients;
        o.steps = 16;
        const auto cost = estimateAttributionCost(m_input, o);
        QCOMPARE(cost.forwardRows, int64_t(18));
        QCOMPARE(cost.backwardRows, int64_t(16));
        o.method = AttributionMethod::Occlusion;
        QCOMPARE(estimateAttributionCost(m_input, o).forwardRows, int64_t(textUnits(kOutput.text, Granularity::Word).size() + 1));
    }

    void cancelStops()
    {
        std::atomic_bool cancel{true};
        AttributionOptions o;
        o.method = AttributionMethod::IntegratedGradients;
        o.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, run(o));
    }
};

QTEST_APPLESS_MAIN(TestAttribution)
#include "test_attribution.moc"
