#include "preferences/ranking_edit.h"

#include <QtTest>

using namespace polar;

class TestRankingEdit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void edits()
    {
        std::vector<int> r(4, 0);
        r = putAtRank(r, 2, 1);
        QCOMPARE(r, (std::vector<int>{0, 0, 1, 0}));
        r = putAtRank(r, 0, 1); // takes the top, pushes the other down
        QCOMPARE(r, (std::vector<int>{1, 0, 2, 0}));
        r = putAtRank(r, 3, 9); // past the end: last
        QCOMPARE(r, (std::vector<int>{1, 0, 2, 3}));
        r = tieWith(r, 1, 2);
        QCOMPARE(r, (std::vector<int>{1, 2, 2, 3}));
        r = putAtRank(r, 2, 1); // leaves its tie, levels stay dense
        QCOMPARE(r, (std::vector<int>{2, 3, 1, 4}));
        r = unrank(r, 0);
        QCOMPARE(r, (std::vector<int>{0, 2, 1, 3}));
        QCOMPARE(displayOrder(r), (std::vector<size_t>{2, 1, 3, 0}));
        QCOMPARE(tieWith(r, 0, 0), r);           // with itself: nothing
        QCOMPARE(tieWith({0, 0}, 0, 1), (std::vector<int>{0, 0})); // with an unranked one: nothing
    }

    void shuffledOrdersArePerAnnotatorAndStable()
    {
        const auto a = shuffledOrder(7, "ana", "item-hash");
        QCOMPARE(a, shuffledOrder(7, "ana", "item-hash")); // the same every time (and on every platform)
        std::vector<size_t> sorted = a;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(sorted, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6})); // a permutation
        // Other annotators and other items see other orders.
        int differ = 0;
        for (const char *who : {"ben", "cy", "dee", "eve"})
            differ += shuffledOrder(7, who, "item-hash") != a;
        QVERIFY(differ >= 3);
        QVERIFY(shuffledOrder(7, "ana", "other-item") != a);
        // Across many items every position holds the first candidate about equally often.
        std::vector<int> firstAt(4, 0);
        for (int k = 0; k < 4000; ++k) {
            const auto o = shuffledOrder(4, "ana", std::to_string(k));
            ++firstAt[size_t(std::find(o.begin(), o.end(), size_t(0)) - o.begin())];
        }
        for (int c : firstAt)
            QVERIFY2(c > 850 && c < 1150, qPrintable(QString::number(c)));
        // Display: ranked levels first, each and the unranked in the shown order.
        QCOMPARE(displayOrder({0, 1, 0, 1}, {2, 3, 0, 1}), (std::vector<size_t>{3, 1, 2, 0}));
    }
};

QTEST_APPLESS_MAIN(TestRankingEdit)
#include "test_ranking_edit.moc"
