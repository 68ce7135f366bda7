// Dataset workflow at real size: a generated 100,000-record JSONL is imported,
// filtered through the UI's item and filter models, annotated, re-opened and
// exported; each step's time is printed. A measurement, not a test.
#include "annotation/dataset_item_model.h"
#include "util/files.h"
#include "preferences/export.h"
#include "preferences/project.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cmath>
#include <cstdio>
#include <random>

using namespace polar;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int records = argc > 1 ? std::atoi(argv[1]) : 100000;
    QTemporaryDir dir;
    const std::string path = dir.filePath("big.jsonl").toStdString();
    std::mt19937 rng(3);
    const char *words[] = {"model", "reward", "answer", "policy", "reference", "token", "count", "prompt", "value", "rank"};
    auto sentence = [&](int n) {
        std::string s;
        for (int i = 0; i < n; ++i)
            s += std::string(i ? " " : "") + words[rng() % 10];
        return s;
    };
    std::string data;
    for (int r = 0; r < records; ++r) {
        Json j = {{"id", r}, {"prompt", sentence(15) + (r % 100 == 0 ? " needle" : "") + "?"}, {"reference", sentence(20)}};
        if (r % 4 == 0)
            j["chosen"] = sentence(12), j["rejected"] = sentence(12);
        else
            j["outputs"] = {sentence(12), sentence(14), sentence(10)};
        data += j.dump() + "\n";
    }
    writeFileAtomically(path, data);
    std::printf("dataset: %d records, %.1f MB\n", records, double(data.size()) / 1e6);

    QElapsedTimer t;
    t.start();
    auto project = PreferenceProject::openForDataset(path);
    std::printf("import (parse, validate, open project):   %8.0f ms\n", double(t.nsecsElapsed()) / 1e6);

    t.restart();
    std::vector<ItemRewards> chunk;
    std::normal_distribution<float> reward(0, 2);
    for (size_t i = 0; i < project->size(); ++i) {
        std::vector<float> r(project->candidates(i).size());
        for (auto &x : r)
            x = reward(rng);
        chunk.push_back(project->rewardsForCurrent(i, r));
        if (chunk.size() == 64 || i + 1 == project->size()) {
            project->setRewards(chunk, "bench");
            chunk.clear();
        }
    }
    std::printf("store rewards for every item (64 per fsync): %8.0f ms\n", double(t.nsecsElapsed()) / 1e6);

    const int decisions = std::min(records, 1000);
    t.restart();
    for (int i = 0; i < decisions; ++i) {
        Annotation a;
        a.decided = true;
        a.ranks.assign(project->candidates(size_t(i)).size(), 0);
        for (size_t k = 0; k < a.ranks.size(); ++k)
            a.ranks[k] = int(k) + 1;
        a.annotator = "bench";
        project->setAnnotation(size_t(i), a);
    }
    std::printf("annotate %d items (one fsync each):      %8.0f ms (%.2f ms per decision)\n", decisions,
                double(t.nsecsElapsed()) / 1e6, double(t.nsecsElapsed()) / 1e6 / decisions);

    DatasetItemModel items;
    DatasetFilterModel filter;
    t.restart();
    items.setProject(project.get());
    filter.setSourceModel(&items);
    std::printf("item list model over all items:           %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());
    t.restart();
    filter.setSearch("needle");
    std::printf("text search (prompt, reference, outputs): %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());
    t.restart();
    filter.setSearch({});
    filter.setStatus(int(ItemStatus::Annotated));
    std::printf("status filter:                            %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());
    t.restart();
    filter.setStatus(-1);
    filter.setDisagreementOnly(true);
    std::printf("disagreement filter:                      %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());
    t.restart();
    filter.setDisagreementOnly(false);
    filter.setRewardRange(1.0, 3.0);
    std::printf("reward range filter:                      %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());
    // The list as an annotator works it: sorted by a queue, then a filter widened.
    t.restart();
    filter.setQueue(DatasetItemModel::Queue::LeastCertainFirst);
    std::printf("least-certain-first queue (sort):         %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());
    t.restart();
    filter.setRewardRange(std::nan(""), std::nan(""));
    std::printf("reward range off, list sorted:            %8.0f ms (%d rows)\n", double(t.nsecsElapsed()) / 1e6,
                filter.rowCount());

    const std::string journal = project->path();
    project.reset();
    t.restart();
    auto reopened = PreferenceProject::open(journal, PreferenceProject::Mode::ReadOnly);
    std::printf("reopen (import + replay the journal):     %8.0f ms\n", double(t.nsecsElapsed()) / 1e6);

    // What the export dialog's count and the charts tab redo on a change.
    t.restart();
    const auto all = reopened->annotatedItems();
    std::printf("snapshot every item (annotatedItems):     %8.0f ms\n", double(t.nsecsElapsed()) / 1e6);
    t.restart();
    ExportSummary counted;
    collectPairs(all, {}, counted);
    std::printf("count pairs (the export dialog's preview): %7.0f ms\n", double(t.nsecsElapsed()) / 1e6);

    t.restart();
    const auto summary = exportPairs(reopened->annotatedItems(), dir.filePath("train.jsonl").toStdString(), {});
    std::printf("export pairs (write, read back, validate): %7.0f ms (%s)\n", double(t.nsecsElapsed()) / 1e6,
                summary.describe().c_str());
    return 0;
}
