#include "annotation/ranking_keys.h"

#include "preferences/ranking_edit.h"

#include <QObject>
#include <Qt>

#include <set>

namespace {

std::optional<KeyChange> rankingKeyChangeOf(int key, polar::Annotation a, size_t c, size_t above)
{
    using Kind = AnnotateCommand::Kind;
    const bool selected = c != size_t(-1) && c < a.ranks.size();
    if (key >= Qt::Key_1 && key <= Qt::Key_9 && selected) {
        const int n = key - Qt::Key_0;
        // Ranks stay consecutive: the levels the other candidates hold, plus one.
        std::set<int> others;
        for (size_t k = 0; k < a.ranks.size(); ++k)
            if (k != c && a.ranks[k] > 0)
                others.insert(a.ranks[k]);
        const int free = int(others.size()) + 1;
        if (n > free) {
            KeyChange refused{a, Kind::Rank, false, false, {}, false};
            refused.refused = "Rank " + std::to_string(n) + " would leave rank " + std::to_string(free)
                              + " empty: this candidate can take ranks 1–" + std::to_string(free) + ".";
            return refused;
        }
        a.ranks = polar::putAtRank(a.ranks, c, n);
        return KeyChange{a, Kind::Rank, true, false, {}, false};
    }
    if (key == Qt::Key_0 && selected) {
        a.ranks = polar::unrank(a.ranks, c);
        return KeyChange{a, Kind::Unrank, false, false, {}, false};
    }
    if (key == Qt::Key_T && selected && above != size_t(-1)) {
        a.ranks = polar::tieWith(a.ranks, c, above);
        return KeyChange{a, Kind::Tie, true, false, {}, false};
    }
    // Two candidates: "both good" (a tie, which gives no pair) or "both bad"
    // (none acceptable), each a decision that moves to the next item.
    if ((key == Qt::Key_G || key == Qt::Key_B) && a.ranks.size() == 2) {
        if (key == Qt::Key_G) {
            a.ranks = {1, 1};
            a.noneAcceptable = false;
        } else {
            a.ranks = {0, 0};
            a.noneAcceptable = true;
        }
        a.decided = true;
        a.skipped = false;
        return KeyChange{a, Kind::Submit, false, true, {}, false};
    }
    if (key == Qt::Key_S) {
        a.skipped = true;
        return KeyChange{a, Kind::Skip, false, true, {}, false};
    }
    if (key == Qt::Key_F) {
        a.flagged = !a.flagged;
        return KeyChange{a, a.flagged ? Kind::Flag : Kind::Unflag, false, false, {}, false};
    }
    return std::nullopt;
}

} // namespace

std::optional<KeyChange> rankingKeyChange(int key, polar::Annotation current, size_t candidate, size_t above)
{
    auto change = rankingKeyChangeOf(key, current, candidate, above);
    // A key that changes nothing (rank 1 on the candidate already first)
    // writes no journal line and no undo step; the selection still advances.
    if (change && change->refused.empty() && change->annotation == current) {
        if (!change->advance)
            return std::nullopt;
        change->unchanged = true;
    }
    return change;
}

QList<QPair<QString, QString>> rankingKeyHelp()
{
    return {{QObject::tr("Put the selected candidate at rank N"), QStringLiteral("1 … 9")},
            {QObject::tr("Tie it with the candidate above"), QStringLiteral("T")},
            {QObject::tr("Unrank it"), QStringLiteral("0")},
            {QObject::tr("Submit the item and go to the next (twice when some are unranked)"), QObject::tr("Enter")},
            {QObject::tr("Two candidates: both good (no pair), then the next item"), QStringLiteral("G")},
            {QObject::tr("Two candidates: both bad (none acceptable, no pair), then the next item"), QStringLiteral("B")},
            {QObject::tr("Skip the item"), QStringLiteral("S")},
            {QObject::tr("Flag or unflag the item"), QStringLiteral("F")}};
}
