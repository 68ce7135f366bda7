#pragma once

#include <QStringList>

// One line per text for a list or table, each starting near the first place
// it differs from its near-identical siblings (texts sharing more than
// `lead` characters of start with it), so near-identical candidates can be told apart at a glance
// ("…so the answer is two" / "…so the answer is three"). Whitespace is
// simplified; an empty text becomes "(empty)".
QStringList differencePreviews(const QStringList &texts, int lead = 24);
