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
};

QTEST_APPLESS_MAIN(TestRankingEdit)
#include "test_ranking_edit.moc"
