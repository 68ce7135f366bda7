#include "charts/chart_export.h"

#include "widgets/save_file.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#ifdef POLAR_HAVE_QT_SVG
#include <QSvgGenerator>
#endif

namespace {

constexpr double kPrintDpi = 300;

void paintChart(QChartView *view, QPainter &painter, const QRectF &target)
{
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    view->scene()->render(&painter, target, view->chart()->sceneBoundingRect());
}

} // namespace

QString chartFileFilter()
{
#ifdef POLAR_HAVE_QT_SVG
    return QObject::tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)");
#else
    return QObject::tr("PNG image (*.png);;PDF document (*.pdf)");
#endif
}

bool saveChart(QChartView *view, const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSizeF size = view->chart()->size(); // logical pixels at 96 dpi
    if (size.isEmpty()) {
        if (error)
            *error = QObject::tr("The chart has no size yet: show it first.");
        return false;
    }
    QByteArray bytes;
    if (suffix == "png") {
        const double scale = kPrintDpi / 96.0;
        QImage image((size * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.setDotsPerMeterX(int(kPrintDpi / 0.0254));
        image.setDotsPerMeterY(int(kPrintDpi / 0.0254));
        image.fill(Qt::white);
        QPainter painter(&image);
        paintChart(view, painter, QRectF(QPointF(0, 0), size * scale));
        painter.end();
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
    } else if (suffix == "pdf") {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter pdf(&buffer);
        pdf.setResolution(int(kPrintDpi));
        pdf.setPageSize(QPageSize(size * 72.0 / 96.0, QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter painter(&pdf);
        paintChart(view, painter, QRectF(QPointF(0, 0), size * kPrintDpi / 96.0));
#ifdef POLAR_HAVE_QT_SVG
    } else if (suffix == "svg") {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), size));
        svg.setTitle(view->chart()->title());
        QPainter painter(&svg);
        paintChart(view, painter, QRectF(QPointF(0, 0), size));
#endif
    } else {
        if (error)
            *error = QObject::tr("%1: charts are saved as %2, not “.%3”.")
                         .arg(path, chartFileFilter().contains("svg") ? "PNG, SVG or PDF" : "PNG or PDF", suffix);
        return false;
    }
    return saveFile(path, bytes, error);
}

QImage renderDocument(QTextDocument &doc, int width, double scale)
{
    doc.setTextWidth(width);
    const QSizeF size(width, doc.size().height());
    QImage image((size * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDotsPerMeterX(int(96 * scale / 0.0254));
    image.setDotsPerMeterY(int(96 * scale / 0.0254));
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    doc.drawContents(&painter);
    return image;
}

bool saveImage(const QImage &image, const QString &path, QString *error)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, "PNG")) {
        if (error)
            *error = QObject::tr("%1: nothing to draw").arg(path);
        return false;
    }
    return saveFile(path, bytes, error);
}

QString tsvToCsv(const QString &tsv)
{
    QStringList lines;
    for (const QString &line : tsv.split('\n', Qt::SkipEmptyParts)) {
        QStringList cells = line.split('\t');
        for (QString &c : cells)
            if (c.contains(',') || c.contains('"') || c.contains('\r'))
                c = '"' + QString(c).replace('"', QStringLiteral("\"\"")) + '"';
        lines << cells.join(',');
    }
    return lines.join('\n') + '\n';
}

void addChartMenu(QChartView *view, const QString &defaultName, std::function<QString()> tsv)
{
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *save = new QAction(QObject::tr("Save chart as…"), view);
    QObject::connect(save, &QAction::triggered, view, [view, defaultName] {
        const QString path = askSavePath(view, QObject::tr("Save chart"), defaultName, chartFileFilter(), QStringLiteral("png"));
        QString error;
        if (!path.isEmpty() && !saveChart(view, path, &error))
            QMessageBox::warning(view, QObject::tr("Save chart"), error);
    });
    view->addAction(save);
    if (tsv) {
        auto *copy = new QAction(QObject::tr("Copy data as TSV"), view);
        QObject::connect(copy, &QAction::triggered, view, [tsv] { QApplication::clipboard()->setText(tsv()); });
        view->addAction(copy);
        auto *csv = new QAction(QObject::tr("Save data as CSV…"), view);
        QObject::connect(csv, &QAction::triggered, view, [view, tsv, defaultName] {
            const QString path = askSavePath(view, QObject::tr("Save the chart's numbers"),
                                             QFileInfo(defaultName).completeBaseName() + QStringLiteral(".csv"), QObject::tr("CSV (*.csv)"),
                                             QStringLiteral("csv"));
            QString error;
            if (!path.isEmpty() && !saveFile(path, tsvToCsv(tsv()).toUtf8(), &error))
                QMessageBox::warning(view, QObject::tr("Save data"), error);
        });
        view->addAction(csv);
    }
}
