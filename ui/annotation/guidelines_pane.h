#pragma once

#include <QString>
#include <QWidget>

class QFileSystemWatcher;
class QLabel;
class QPushButton;
class QTextBrowser;

// The annotation guidelines beside the item: a Markdown file kept with the
// dataset (DATASET.guidelines.md), shown rendered, reloaded when it changes
// on disk, and edited in place (saved atomically).
class GuidelinesPane : public QWidget
{
    Q_OBJECT

public:
    explicit GuidelinesPane(QWidget *parent = nullptr);
    // The guidelines of the dataset at `datasetPath` ("" when none is open).
    void setDataset(const QString &datasetPath);
    static QString guidelinesPath(const QString &datasetPath);
    QString path() const { return m_path; }
    QString markdown() const { return m_markdown; }
    // Opens the editor; returns false when cancelled or not saved.
    bool edit();
    bool save(const QString &markdown, QString *error = nullptr);

private:
    void reload();

    QString m_path, m_markdown;
    QLabel *m_title;
    QTextBrowser *m_view;
    QPushButton *m_edit;
    QFileSystemWatcher *m_watcher;
};
