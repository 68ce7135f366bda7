// Fine-tuning: the schedule, the split by prompt, the pairs reader, xtuner's
// tokenize_ref port, the loss gradient against finite differences, and short
// runs on the tiny fixture: the loss falls, held-out accuracy rises, the saved
// directory reloads to the same rewards, and a stopped run resumes to the
// same weights as one that never stopped.
#include "model/reward_model.h"
#include "model/reward_model_impl.h"
#include "scoring/encoding.h"
#include "training/pair_loss.h"
#include "training/fine_tune.h"
#include "training/trainer.h"
#include "training/training_data.h"
#include "util/files.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace polar;

namespace {

std::string pairsFile() { return testdata::sourceDir() + "/tests/data/training/pairs.jsonl"; }

PreferencePair pair(const std::string &prompt, const std::string &chosen, const std::string &rejected,
                    const std::string &reference = "the reference")
{
    return {TextField::fromString(prompt), TextField::fromString(reference), TextField::fromString(chosen),
            TextField::fromString(rejected)};
}

TrainOptions quickOptions()
{
    TrainOptions o;
    o.epochs = 3;
    o.learningRate = 5e-3;
    o.batchTokens = 1500;
    o.microBatchTokens = 1500;
    o.maxLength = 512;
    o.validationFraction = 0.2;
    o.evalEvery = 0;
    o.checkpointEvery = 0;
    o.device = Device::Cpu;
    o.seed = 5;
    return o;
}

// Held-out accuracy of a saved model, scored with the app's own forward.
double accuracyOf(const RewardModel &m, const std::vector<PreferencePair> &pairs, const std::vector<size_t> &which)
{
    int right = 0;
    for (size_t i : which) {
        const auto ids = m.encoder().encodePair(pairs[i].prompt, pairs[i].reference, pairs[i].chosen, pairs[i].rejected, 512, 4096);
        const auto r = m.forwardRewards({ids.chosen, ids.rejected});
        right += r[0] > r[1];
    }
    return double(right) / double(which.size());
}

} // namespace

class TestTraining : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scheduleWarmsUpThenFollowsTheCosine()
    {
        TrainOptions o;
        o.learningRate = 1e-3;
        o.warmupRatio = 0.1;
        o.minLearningRateRatio = 0.1;
        const int64_t total = 100; // 10 warm-up steps
        QCOMPARE(learningRateAt(o, 0, total), 1e-4);
        QCOMPARE(learningRateAt(o, 9, total), 1e-3);
        QVERIFY(std::fabs(learningRateAt(o, 10, total) - 1e-3) < 1e-12);
        // Half way through the cosine: the mean of peak and floor.
        QVERIFY(std::fabs(learningRateAt(o, 10 + 45, total) - 0.55e-3) < 1e-9);
        QVERIFY(std::fabs(learningRateAt(o, 100, total) - 1e-4) < 1e-12);
        for (int64_t s = 10; s < 99; ++s)
            QVERIFY(learningRateAt(o, s + 1, total) <= learningRateAt(o, s, total));
    }

    void splitKeepsEachPromptOnOneSide()
    {
        const auto pairs = readPolarPairs(pairsFile());
        const auto split = splitByPrompt(pairs, 0.25, 3);
        QCOMPARE(split.train.size() + split.validation.size(), pairs.size());
        QVERIFY(!split.validation.empty() && !split.train.empty());
        std::set<std::string> trainPrompts, heldPrompts;
        for (size_t i : split.train)
            trainPrompts.insert(pairs[i].prompt.flattened());
        for (size_t i : split.validation)
            heldPrompts.insert(pairs[i].prompt.flattened());
        for (const auto &p : heldPrompts)
            QVERIFY2(!trainPrompts.count(p), qPrintable(QString::fromStdString("prompt on both sides: " + p)));
        QCOMPARE(split.validationPrompts, heldPrompts.size());
        const double share = double(heldPrompts.size()) / double(heldPrompts.size() + trainPrompts.size());
        QVERIFY2(share > 0.2 && share < 0.3, qPrintable(QString::number(share)));
        // The seed decides it, and only the seed.
        QCOMPARE(splitByPrompt(pairs, 0.25, 3).validation, split.validation);
        QVERIFY(splitByPrompt(pairs, 0.25, 4).validation != split.validation);
        // Two prompts: one each side, whatever the fraction.
        const std::vector<PreferencePair> two = {pair("a", "x", "y"), pair("a", "x", "z"), pair("b", "x", "y")};
        const auto s2 = splitByPrompt(two, 0.01, 1);
        QCOMPARE(s2.validationPrompts, size_t(1));
        QCOMPARE(s2.trainPrompts, size_t(1));
    }

    void pairsReaderNamesTheLineAndField()
    {
        QTemporaryDir dir;
        auto expectError = [&](const std::string &content, const QString &needle) {
            const std::string path = dir.filePath("p.jsonl").toStdString();
            writeFileAtomically(path, content);
            try {
                readPolarPairs(path);
                QFAIL("accepted a bad pairs file");
            } catch (const Error &e) {
                const QString what = QString::fromUtf8(e.what());
                QVERIFY2(what.contains(needle), qPrintable(what));
            }
        };
        const std::string good = R"({"prompt":"p","reference":"r","chosen":"a","rejected":"b"})";
        expectError(good + "\n{oops\n", "p.jsonl:2: not JSON");
        expectError(good + "\n" + R"({"prompt":"p","reference":"r","chosen":"a"})" + "\n", "p.jsonl:2: missing field 'rejected'");
        expectError(R"({"prompt":"p","reference":"r","chosen":"a","rejected":"a"})", "p.jsonl:1: chosen and rejected are the same");
        expectError(R"({"prompt":"p","reference":7,"chosen":"a","rejected":"b"})", "p.jsonl:1: field 'reference'");
        expectError("\n\n", "holds no pairs");
        // A TRL export (no reference) says which format POLAR needs.
        expectError(R"({"prompt":"p\n","chosen":"a","rejected":"b"})", "p.jsonl:1: missing field 'reference' (a TRL-format pair");
        expectError(R"({"prompt":"p"})", "p.jsonl:1: missing field 'reference'");
        const std::string path = dir.filePath("ok.jsonl").toStdString();
        writeFileAtomically(path, good + "\n\n" + good + "\n");
        QCOMPARE(readPolarPairs(path).size(), size_t(2));
    }

    // tokenize_ref and _encode build the same text for a candidate when the
    // responses fit (the reward token appended as an id, not as text).
    void pairEncodingMatchesTheInferenceEncoding()
    {
        auto model = RewardModel::load(testdata::tinyModel());
        const auto &enc = model->encoder();
        const auto p = TextField::fromString("How many r's are in strawberry?");
        const auto ref = TextField::fromString("There are three r's.");
        const auto c = TextField::fromString("Three.");
        const auto j = TextField::fromString("There are two r's in the word.");
        const auto ids = enc.encodePair(p, ref, c, j, 16384, 4096);
        EncodeOptions eo;
        eo.cutSide = CutSide::Right;
        QCOMPARE(ids.chosen, enc.encode(p, ref, c, eo).ids);
        QCOMPARE(ids.rejected, enc.encode(p, ref, j, eo).ids);
        // Responses keep their start; the prompt's budget is the smaller of the two.
        const auto cut = enc.encodePair(p, ref, c, j, 30, 6);
        QVERIFY(cut.rejectedDropped > 0);
        QCOMPARE(cut.chosenDropped, 0);
        const auto longRejected = enc.encode(p, ref, j, eo);
        QVERIFY(cut.rejected.size() < longRejected.ids.size());
        QCOMPARE(cut.rejected.back(), int(model->config().rewardTokenId));
        // Both rows carry the same prompt, cut to the budget both leave.
        const auto promptOf = [&](const std::vector<int> &row) {
            const std::string text = model->tokenizer().decode(row, false);
            return text.substr(0, text.find('\n'));
        };
        QCOMPARE(promptOf(cut.chosen), promptOf(cut.rejected));
        QVERIFY(cut.promptDropped > 0);
    }

    // The ranking loss's gradient against central differences, in float64.
    void lossGradientMatchesFiniteDifferences()
    {
        auto model = RewardModel::load(testdata::tinyModel());
        auto &impl = model->impl();
        auto &net = *impl.model;
        std::vector<torch::Tensor> params;
        for (auto &p : net.named_parameters()) {
            torch::NoGradGuard g;
            p.value().set_data(p.value().detach().to(torch::kFloat64).clone());
            p.value().requires_grad_(true);
            params.push_back(p.value());
        }
        const auto &enc = model->encoder();
        const auto a = enc.encodePair(TextField::fromString("What is 2 + 2?"), TextField::fromString("4."),
                                      TextField::fromString("Four."), TextField::fromString("Five."), 512, 4096);
        const auto b = enc.encodePair(TextField::fromString("Capital of France?"), TextField::fromString("Paris."),
                                      TextField::fromString("It is Paris."), TextField::fromString("Rome, of course."), 512, 4096);
        const ForwardBatch batch = impl.makeBatch({a.chosen, a.rejected, b.chosen, b.rejected});
        auto lossOf = [&] { return pairLosses(net, batch).losses.mean(); };
        lossOf().backward();
        const auto named = net.named_parameters();
        struct Probe { const char *name; int64_t index; };
        const std::vector<Probe> probes = {{"v_head.weight", 3}, {"model.norm.weight", 5},
                                           {"model.layers.1.attention.wqkv.weight", 77},
                                           {"model.layers.0.feed_forward.w2.weight", 130},
                                           {"model.layers.0.attention.wo.weight", 200}};
        for (const auto &probe : probes) {
            torch::Tensor w = named[probe.name];
            const double analytic = w.grad().view({-1})[probe.index].item<double>();
            const double h = 1e-5;
            double plus, minus;
            {
                torch::NoGradGuard g;
                auto flat = w.view({-1});
                const double x = flat[probe.index].item<double>();
                flat[probe.index] = x + h;
                plus = lossOf().item<double>();
                flat[probe.index] = x - h;
                minus = lossOf().item<double>();
                flat[probe.index] = x;
            }
            const double numeric = (plus - minus) / (2 * h);
            QVERIFY2(std::fabs(numeric - analytic) <= 1e-6 + 1e-4 * std::fabs(numeric),
                     qPrintable(QString("%1[%2]: autograd %3, finite differences %4").arg(probe.name).arg(probe.index)
                                    .arg(analytic, 0, 'g', 10).arg(numeric, 0, 'g', 10)));
            QVERIFY(std::fabs(analytic) > 1e-9); // a probe that moves the loss
        }
    }

    void shortRunLearnsAndSavesALoadableModel()
    {
        QTemporaryDir dir;
        const std::string out = dir.filePath("trained").toStdString();
        const auto pairs = readPolarPairs(pairsFile());
        std::vector<double> losses;
        TrainControl control;
        control.progress = [&](const TrainProgress &p) { losses.push_back(p.loss); };
        const TrainReport report = trainRewardModel(testdata::tinyModel(), pairs, out, quickOptions(), control);
        QVERIFY(report.before && report.after);
        QVERIFY2(report.after->accuracy > report.before->accuracy + 0.15,
                 qPrintable(QString("held-out accuracy %1 -> %2").arg(report.before->accuracy).arg(report.after->accuracy)));
        QVERIFY(report.after->loss < report.before->loss);
        QVERIFY(losses.size() >= 6);
        const size_t k = losses.size() / 3;
        double first = 0, last = 0;
        for (size_t i = 0; i < k; ++i) {
            first += losses[i];
            last += losses[losses.size() - 1 - i];
        }
        QVERIFY2(last < first, qPrintable(QString("training loss %1 -> %2").arg(first / double(k)).arg(last / double(k))));
        // The directory is a model: it loads and scores as the run measured.
        auto reloaded = RewardModel::load(out);
        QCOMPARE(reloaded->config().numLayers, RewardModel::load(testdata::tinyModel())->config().numLayers);
        QVERIFY(fileExists(out + "/tokenizer.model") && fileExists(out + "/training/log.jsonl"));
        QVERIFY(!directoryExists(out + "/training/state")); // finished: nothing to resume
        const auto split = splitByPrompt(pairs, 0.2, 5);
        QCOMPARE(accuracyOf(*reloaded, pairs, split.validation), report.after->accuracy);
        // The same output folder is refused now that it holds a model.
        QVERIFY_THROWS_EXCEPTION(Error, trainRewardModel(testdata::tinyModel(), pairs, out, quickOptions()));
        QVERIFY_THROWS_EXCEPTION(Error, trainRewardModel(out, pairs, out, quickOptions()));
        // Nor is a file taken for the output folder, the pairs file least of all.
        const std::string before = readWholeFile(pairsFile());
        QVERIFY_THROWS_EXCEPTION(Error, trainRewardModel(testdata::tinyModel(), pairs, pairsFile(), quickOptions()));
        QCOMPARE(readWholeFile(pairsFile()), before);
    }

    void fineTuningOnRankingsComparesTheSameItemsBeforeAndAfter()
    {
        QTemporaryDir dir;
        const std::string out = dir.filePath("tuned").toStdString();
        // Each pair an item ranked chosen first; one item left unranked.
        std::vector<AnnotatedItem> items;
        for (const auto &p : readPolarPairs(pairsFile())) {
            AnnotatedItem it;
            it.line = items.size() + 1;
            it.prompt = p.prompt;
            it.reference = p.reference;
            it.candidates = {p.rejected, p.chosen};
            it.ranks = {2, 1};
            items.push_back(it);
        }
        items.back().ranks.clear();
        std::vector<std::string> news;
        TrainControl control;
        control.log = [&](const std::string &line) { news.push_back(line); };
        const FineTuneResult r = fineTuneOnAnnotations(testdata::tinyModel(), items, "pairs.jsonl", out, quickOptions(),
                                                       ScoringSettings{}, control);
        QCOMPARE(size_t(r.before.items), items.size() - 1);
        QCOMPARE(r.after.items, r.before.items);
        QVERIFY2(r.after.pairwiseAccuracy() > r.before.pairwiseAccuracy() + 0.15,
                 qPrintable(QString("agreement %1 -> %2").arg(r.before.pairwiseAccuracy()).arg(r.after.pairwiseAccuracy())));
        // Every item, the unranked one included, gets the fine-tuned model's rewards.
        QCOMPARE(r.rewards.size(), items.size());
        auto tuned = RewardModel::load(out);
        for (size_t i : {size_t(0), items.size() - 1}) {
            QCOMPARE(r.rewards[i].item, i);
            const auto direct = tuned->forwardRewards({tuned->encoder().encode(items[i].prompt, items[i].reference, items[i].candidates[1]).ids});
            QVERIFY(std::abs(r.rewards[i].rewards[1] - direct[0]) < 1e-4);
        }
        QCOMPARE(r.fineTunedModel, out);
        QVERIFY(!news.empty());
    }

    void stoppedRunResumesToTheSameWeights()
    {
        QTemporaryDir dir;
        const auto pairs = readPolarPairs(pairsFile());
        TrainOptions o = quickOptions();
        o.epochs = 1;
        const std::string straight = dir.filePath("straight").toStdString();
        trainRewardModel(testdata::tinyModel(), pairs, straight, o);

        const std::string stopped = dir.filePath("stopped").toStdString();
        std::atomic_bool cancel{false};
        TrainControl control;
        control.cancel = &cancel;
        control.progress = [&](const TrainProgress &p) {
            if (p.step == 3)
                cancel = true;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainRewardModel(testdata::tinyModel(), pairs, stopped, o, control));
        QVERIFY(directoryExists(stopped + "/training/state"));
        // Starting over on a stopped run, or resuming with other pairs, is refused.
        QVERIFY_THROWS_EXCEPTION(Error, trainRewardModel(testdata::tinyModel(), pairs, stopped, o));
        TrainOptions r = o;
        r.resume = true;
        std::vector<PreferencePair> fewer(pairs.begin(), pairs.end() - 2);
        QVERIFY_THROWS_EXCEPTION(Error, trainRewardModel(testdata::tinyModel(), fewer, stopped, r));
        const TrainReport resumed = trainRewardModel(testdata::tinyModel(), pairs, stopped, r);
        QVERIFY(resumed.resumed);

        auto a = RewardModel::load(straight), b = RewardModel::load(stopped);
        const auto ids = a->encoder().encodePair(pairs[0].prompt, pairs[0].reference, pairs[0].chosen, pairs[0].rejected, 512, 4096);
        const auto ra = a->forwardRewards({ids.chosen, ids.rejected}), rb = b->forwardRewards({ids.chosen, ids.rejected});
        for (size_t i = 0; i < 2; ++i)
            QVERIFY2(std::fabs(ra[i] - rb[i]) < 1e-5, qPrintable(QString("%1 vs %2").arg(ra[i]).arg(rb[i])));
        // The log holds each step once, the replayed ones included.
        const std::string log = readWholeFile(stopped + "/training/log.jsonl");
        QCOMPARE(QString::fromStdString(log).count("\"step\":3,\"epoch\""), 1);
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
