#pragma once

#include <QString>

#include <functional>

class QImage;
class QTextDocument;
class QWidget;
QT_FORWARD_DECLARE_CLASS(QChartView)

// The formats charts are saved in, for a save dialog's filter.
QString chartFileFilter();

// Draws the chart again from its items, not from the screen: .png at print
// resolution (300 dpi), .svg as vectors (when built with Qt Svg), .pdf as
// vectors. Written through a temporary file; an unknown suffix is refused.
bool saveChart(QChartView *view, const QString &path, QString *error = nullptr);

// Rich text laid out at `width` pixels and rendered at `scale` times that,
// for exports of views whose content is text (the attribution heat maps).
QImage renderDocument(QTextDocument &doc, int width, double scale);

// `image` as PNG, through a temporary file.
bool saveImage(const QImage &image, const QString &path, QString *error = nullptr);

// Tab-separated text as CSV (RFC 4180 quoting), for saving a chart's numbers.
QString tsvToCsv(const QString &tsv);

// A context menu on `view`: "Save chart as…" (starting at `defaultName`) and,
// when `tsv` is given, "Copy data as TSV" and "Save data as CSV…" with the
// numbers behind the chart.
void addChartMenu(QChartView *view, const QString &defaultName, std::function<QString()> tsv = {});
