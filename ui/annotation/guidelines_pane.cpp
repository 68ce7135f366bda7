#include "annotation/guidelines_pane.h"

#include "util/files.h"
#include "widgets/window_size.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

GuidelinesPane::GuidelinesPane(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(tr("<b>Guidelines</b>"));
    m_edit = new QPushButton(tr("Edit…"));
    m_edit->setEnabled(false);
    m_view = new QTextBrowser;
    m_view->setOpenExternalLinks(true);
    m_watcher = new QFileSystemWatcher(this);
    auto *top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_edit);
    m_title->setWordWrap(true);
    // Narrow when it must be: the window fits a 1280-pixel screen with it.
    setMinimumWidth(60);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    connect(m_edit, &QPushButton::clicked, this, &GuidelinesPane::edit);
    // Edited elsewhere (another editor, a git pull): shown as it is now.
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &GuidelinesPane::reload);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &GuidelinesPane::reload);
    reload();
}

QString GuidelinesPane::guidelinesPath(const QString &datasetPath)
{
    const QFileInfo f(datasetPath);
    return f.dir().filePath(f.completeBaseName() + QStringLiteral(".guidelines.md"));
}

void GuidelinesPane::setDataset(const QString &datasetPath)
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    m_path = datasetPath.isEmpty() ? QString() : guidelinesPath(datasetPath);
    if (!m_path.isEmpty()) {
        m_watcher->addPath(QFileInfo(m_path).absolutePath()); // sees the file appear, and atomic replacements
        if (QFileInfo::exists(m_path))
            m_watcher->addPath(m_path);
    }
    m_edit->setEnabled(!m_path.isEmpty());
    reload();
}

void GuidelinesPane::reload()
{
    m_markdown.clear();
    if (!m_path.isEmpty() && QFileInfo::exists(m_path) && !m_watcher->files().contains(m_path))
        m_watcher->addPath(m_path); // a replaced file is a new one to watch
    QFile f(m_path);
    if (!m_path.isEmpty() && f.open(QIODevice::ReadOnly))
        m_markdown = QString::fromUtf8(f.readAll());
    if (m_markdown.isEmpty()) {
        m_title->setText(tr("<b>Guidelines</b> (none yet)"));
        m_title->setToolTip(m_path);
        m_view->setMarkdown(m_path.isEmpty() ? tr("Open a dataset to see its guidelines.")
                                             : tr("No guidelines for this dataset yet. **Edit…** writes them to `%1`, "
                                                  "beside the dataset, where every annotator of it finds them.")
                                                   .arg(QFileInfo(m_path).fileName()));
        return;
    }
    m_title->setText(tr("<b>Guidelines</b>"));
    m_title->setToolTip(m_path); // the pane is narrow: where they live is a hover away
    m_view->setMarkdown(m_markdown);
}

bool GuidelinesPane::save(const QString &markdown, QString *error)
{
    try {
        polar::writeFileAtomically(m_path.toStdString(), markdown.toStdString());
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
    reload();
    return true;
}

bool GuidelinesPane::edit()
{
    if (m_path.isEmpty())
        return false;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Guidelines — %1").arg(QFileInfo(m_path).fileName()));
    auto *text = new QPlainTextEdit(m_markdown);
    text->setPlaceholderText(tr("# What makes an answer better\n\n- Correct before complete\n- …"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(tr("Markdown; saved beside the dataset as %1.").arg(QFileInfo(m_path).fileName())));
    layout->addWidget(text, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    sizeToScreen(&dialog, QSize(640, 520));
    if (dialog.exec() != QDialog::Accepted)
        return false;
    QString error;
    if (!save(text->toPlainText(), &error)) {
        QMessageBox::warning(this, tr("Guidelines not saved"), error);
        return false;
    }
    return true;
}
