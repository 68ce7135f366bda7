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
        int shared = 0; // the longest start it has in common with another text
        for (int j = 0; j < simple.size(); ++j) {
            if (j == i)
                continue;
            const QString &o = simple[j];
            const int n = int(std::min(s.size(), o.size()));
            int k = 0;
            while (k < n && s[k] == o[k])
                ++k;
            if (k < s.size()) // a text that is another's whole start differs nowhere in itself
                shared = std::max(shared, k);
        }
        if (shared <= lead + 8) {
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
