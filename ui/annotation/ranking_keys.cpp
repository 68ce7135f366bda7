#include "annotation/ranking_keys.h"

#include "preferences/ranking_edit.h"

#include <Qt>

std::optional<KeyChange> rankingKeyChange(int key, polar::Annotation a, size_t c, size_t above)
{
    using Kind = AnnotateCommand::Kind;
    const bool selected = c != size_t(-1);
    if (key >= Qt::Key_1 && key <= Qt::Key_9 && selected) {
        a.ranks = polar::putAtRank(a.ranks, c, key - Qt::Key_0);
        return KeyChange{a, Kind::Rank, true, false};
    }
    if (key == Qt::Key_0 && selected) {
        a.ranks = polar::unrank(a.ranks, c);
        return KeyChange{a, Kind::Unrank, false, false};
    }
    if (key == Qt::Key_T && selected && above != size_t(-1)) {
        a.ranks = polar::tieWith(a.ranks, c, above);
        return KeyChange{a, Kind::Tie, true, false};
    }
    if (key == Qt::Key_S) {
        a.skipped = true;
        return KeyChange{a, Kind::Skip, false, true};
    }
    if (key == Qt::Key_F) {
        a.flagged = !a.flagged;
        return KeyChange{a, a.flagged ? Kind::Flag : Kind::Unflag, false, false};
    }
    return std::nullopt;
}
