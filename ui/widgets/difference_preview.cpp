#include "widgets/difference_preview.h"

#include <QObject>

#include <algorithm>

QStringList differencePreviews(const QStringList &texts, int lead)
{
    QStringList simple;
    for (const QString &t : texts)
        simple << t.simplified();
    QStringList out;
    for (int i = 0; i < simple.size(); ++i) {
        const QString &s = simple[i];
        if (s.isEmpty()) {
            out << QObject::tr("(empty)");
            continue;
        }
        // Among the texts that share a long start with this one (its
        // near-identical siblings), the earliest place it differs from any:
        // every difference within the group stays visible.
        int shared = -1;
        for (int j = 0; j < simple.size(); ++j) {
            if (j == i)
                continue;
            const QString &o = simple[j];
            const int n = int(std::min(s.size(), o.size()));
            int k = 0;
            while (k < n && s[k] == o[k])
                ++k;
            if (k > lead + 8 && k < s.size()) // a text that is another's whole start differs nowhere in itself
                shared = shared < 0 ? k : std::min(shared, k);
        }
        if (shared < 0) {
            out << s;
            continue;
        }
        // Back to a word boundary so the preview starts with a whole word.
        int from = shared - lead;
        while (from > 0 && !s[from - 1].isSpace())
            --from;
        out << QStringLiteral("…") + s.mid(from);
    }
    return out;
}
