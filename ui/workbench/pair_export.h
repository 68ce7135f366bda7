#pragma once

#include "workbench/workspace.h"

#include <QString>

class QWidget;

// The workbench's pair export: the chosen/rejected marks, or the model's
// ranking, appended to a train.jsonl in the POLAR format (core's appendPairs:
// validated, atomic). Returns the number written (0: nothing to write, -1: an
// error) with the message for the user in `message`.
int appendWorkspacePairs(const polar::Workspace &ws, const QString &path, bool useModelRanking, QString *message);

// Asks what to export (the marks; with none, the model's ranking, after a
// question) and where, then appends. `hasScores`: the ranking exists.
// Returns appendWorkspacePairs' count, or 0 when the user cancelled.
int exportWorkspacePairs(QWidget *parent, const polar::Workspace &ws, bool hasScores, QString *message);
