#pragma once

#include <QStringList>

// One line per text for a list or table, each starting near where it differs
// from the most similar other text when that is further in than `lead`
// characters, so near-identical candidates can be told apart at a glance
// ("…so the answer is two" / "…so the answer is three"). Whitespace is
// simplified; an empty text becomes "(empty)".
QStringList differencePreviews(const QStringList &texts, int lead = 24);
