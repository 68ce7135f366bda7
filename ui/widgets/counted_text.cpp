#include "widgets/counted_text.h"

QString countedText(qint64 n, const QString &one, const QString &many)
{
    return n == 1 ? one : many.arg(n);
}
