#pragma once

#include "preferences/project.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QWidget;

// Opening a dataset's project the way a user needs it: unreadable lines are
// shown and skipped only with consent; a dataset that changed since its
// project was made can be reattached by content; a damaged project opens
// read-only or is repaired into a new file. The decisions go through the two
// callbacks (dialogs by default, replaced by tests).
struct ProjectOpening
{
    using Consent = std::function<bool(const std::vector<polar::InvalidLine> &)>;
    using Asker = std::function<int(const QString &title, const QString &text, const QStringList &choices)>;

    std::unique_ptr<polar::PreferenceProject> project; // null when not opened
    QString note;  // how it was opened, when that was not the plain way
    QString error; // why not, when not
    size_t invalidLines = 0;

    // What the status line says once it is open (and whether it is a warning).
    QString summary(bool *warning) const;
};

// `path` is a dataset or a project file (*.polar-project.jsonl).
ProjectOpening openProject(QWidget *parent, const QString &path, const ProjectOpening::Consent &consent,
                           const ProjectOpening::Asker &ask);
