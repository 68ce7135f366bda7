#include "util/word_diff.h"

#include <QtTest>

using namespace polar;

class TestWordDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rebuildsBothSides()
    {
        const std::string a = "There are 3 'r's in the word.\nSo the answer is 3.";
        const std::string b = "There are two 'r's in the word. So the answer is two.";
        std::string from, to;
        int removed = 0, added = 0;
        for (const auto &p : wordDiff(a, b)) {
            if (p.kind != DiffPiece::Kind::Added)
                from += p.text;
            if (p.kind != DiffPiece::Kind::Removed)
                to += p.text;
            removed += p.kind == DiffPiece::Kind::Removed;
            added += p.kind == DiffPiece::Kind::Added;
        }
        QCOMPARE(QString::fromStdString(from), QString::fromStdString(a).replace("word.\n", "word. "));
        QCOMPARE(QString::fromStdString(to), QString::fromStdString(b));
        QCOMPARE(removed, 2); // "3", "3."
        QCOMPARE(added, 2);   // "two", "two."
    }

    void identicalAndEmpty()
    {
        const auto same = wordDiff("a b c", "a b c");
        QCOMPARE(same.size(), size_t(1));
        QCOMPARE(same[0].kind, DiffPiece::Kind::Same);
        const auto fromEmpty = wordDiff("", "new words");
        QCOMPARE(fromEmpty.size(), size_t(1));
        QCOMPARE(fromEmpty[0].kind, DiffPiece::Kind::Added);
    }
};

QTEST_APPLESS_MAIN(TestWordDiff)
#include "test_word_diff.moc"
