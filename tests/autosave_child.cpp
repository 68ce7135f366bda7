// Test helper for test_autosave_recovery: makes edits in a real MainWindow and
// says after each one that it was made; the test SIGKILLs it midway.
#include "workbench/commands.h"
#include "workbench/main_window.h"

#include <QApplication>
#include <QUndoStack>

#include <cstdio>
#include <thread>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 2)
        return 2;
    MainWindow window(QString::fromLocal8Bit(argv[1]));
    WorkspaceDocument *doc = window.document();
    QUndoStack *undo = window.undoStack();
    auto said = [](int n) {
        std::printf("edit %d\n", n);
        std::fflush(stdout);
    };
    undo->push(new EditFieldCommand(doc, WorkspaceDocument::Field::Prompt, {}, polar::TextField::fromString("Prompt after a crash")));
    said(1);
    polar::Candidate c;
    c.text = polar::TextField::fromString("A candidate typed before the crash");
    undo->push(new AddCandidatesCommand(doc, 0, {c}, "add"));
    said(2);
    undo->push(new EditFieldCommand(doc, WorkspaceDocument::Field::Reference, {}, polar::TextField::fromString("The reference")));
    said(3);
    undo->push(new SetMarksCommand(doc, {{doc->candidateAt(0).id, polar::Candidate::Mark::Chosen}}, "mark"));
    said(4);
    // Wait to be killed; never exit cleanly.
    for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
}
