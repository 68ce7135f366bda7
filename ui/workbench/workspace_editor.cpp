#include "workbench/workspace_editor.h"

#include "util/error.h"
#include "util/jsonl.h"
#include "workbench/candidate_list_model.h"
#include "workbench/candidate_split.h"
#include "workbench/commands.h"
#include "workbench/text_field_editor.h"
#include "workbench/workspace_document.h"
#include "workbench/workspace_pairs.h"

#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QSplitter>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

WorkspaceEditor::WorkspaceEditor(WorkspaceDocument *doc, QUndoStack *undo, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_undo(undo), m_candidates(new CandidateListModel(doc, this))
{
    m_prompt = new TextFieldEditor(tr("Prompt"), "user");
    m_prompt->setPlaceholder(tr("The question or instruction the candidates answer"));
    m_reference = new TextFieldEditor(tr("Reference"), "assistant");
    m_reference->setPlaceholder(tr("A reference answer: POLAR rewards candidates consistent with it"));
    m_candidate = new TextFieldEditor(tr("Selected candidate"), "assistant");
    m_candidate->setPlaceholder(tr("Add a candidate (Ctrl+T) or paste several (Ctrl+Shift+V)"));
    m_candidate->setEnabled(false);

    m_list = new QListView;
    m_list->setModel(m_candidates);
    m_list->setItemDelegate(new NumberedItemDelegate(m_list));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setUniformItemSizes(true);
    m_list->setAlternatingRowColors(true);
    auto *box = new QWidget;
    auto *boxLayout = new QVBoxLayout(box);
    boxLayout->setContentsMargins(0, 0, 0, 0);
    boxLayout->addWidget(new QLabel(tr("<b>Candidates</b>")));
    boxLayout->addWidget(m_list, 1);

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_prompt);
    split->addWidget(m_reference);
    split->addWidget(box);
    split->addWidget(m_candidate);
    split->setSizes({110, 170, 230, 230});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_prompt, &TextFieldEditor::edited, this, [this](const polar::TextField &b, const polar::TextField &a) {
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Prompt, b, a));
    });
    connect(m_reference, &TextFieldEditor::edited, this, [this](const polar::TextField &b, const polar::TextField &a) {
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Reference, b, a));
    });
    connect(m_candidate, &TextFieldEditor::edited, this, [this](const polar::TextField &b, const polar::TextField &a) {
        if (const int64_t id = currentId(); id > 0)
            m_undo->push(new EditCandidateCommand(m_doc, id, b, a));
    });
    connect(m_doc, &WorkspaceDocument::fieldChanged, this, [this](WorkspaceDocument::Field f) {
        (f == WorkspaceDocument::Field::Prompt ? m_prompt : m_reference)->setValue(m_doc->field(f));
    });
    connect(m_doc, &WorkspaceDocument::candidateTextChanged, this, [this](int64_t id) {
        if (id == currentId())
            m_candidate->setValue(m_doc->candidateAt(m_doc->rowOf(id)).text);
    });
    connect(m_doc, &WorkspaceDocument::workspaceReset, this, [this] {
        m_prompt->setValue(m_doc->workspace().prompt);
        m_reference->setValue(m_doc->workspace().reference);
        if (m_doc->candidateCount() > 0)
            m_list->setCurrentIndex(m_candidates->index(0));
        onCurrentChanged();
    });
    // An undo that re-inserts a candidate selects it, so the editor follows.
    connect(m_doc, &WorkspaceDocument::candidateInserted, this, [this](int row) { m_list->setCurrentIndex(m_candidates->index(row)); });
    connect(m_doc, &WorkspaceDocument::candidateRemoved, this, [this] { onCurrentChanged(); });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] { onCurrentChanged(); });
}

int64_t WorkspaceEditor::currentId() const
{
    return m_candidates->idAt(m_list->currentIndex().row());
}

void WorkspaceEditor::select(int64_t id)
{
    m_list->setCurrentIndex(m_candidates->index(m_doc->rowOf(id)));
}

void WorkspaceEditor::onCurrentChanged()
{
    const int row = m_doc->rowOf(currentId());
    m_candidate->setEnabled(row >= 0);
    m_candidate->setTitle(row >= 0 ? tr("Candidate #%1").arg(row + 1) : tr("Selected candidate"));
    m_candidate->setValue(row >= 0 ? m_doc->candidateAt(row).text : polar::TextField{});
    Q_EMIT currentChanged(currentId());
}

void WorkspaceEditor::addCandidate()
{
    const int row = m_doc->rowOf(currentId());
    m_undo->push(new AddCandidatesCommand(m_doc, row < 0 ? m_doc->candidateCount() : row + 1, {polar::Candidate{}}, tr("Add candidate")));
    m_candidate->textEdit()->setFocus();
}

void WorkspaceEditor::duplicateCandidate()
{
    const int row = m_doc->rowOf(currentId());
    if (row < 0)
        return;
    polar::Candidate c = m_doc->candidateAt(row);
    c.mark = polar::Candidate::Mark::None;
    c.score.reset();
    m_undo->push(new AddCandidatesCommand(m_doc, row + 1, {c}, tr("Duplicate candidate")));
}

void WorkspaceEditor::deleteCandidate()
{
    const int64_t id = currentId();
    if (id <= 0)
        return;
    const int row = m_doc->rowOf(id);
    m_undo->push(new RemoveCandidateCommand(m_doc, id));
    if (m_doc->candidateCount() > 0)
        m_list->setCurrentIndex(m_candidates->index(std::min(row, m_doc->candidateCount() - 1)));
}

void WorkspaceEditor::moveCandidate(int delta)
{
    const int64_t id = currentId();
    const int row = m_doc->rowOf(id), to = row + delta;
    if (row < 0 || to < 0 || to >= m_doc->candidateCount())
        return;
    m_undo->push(new MoveCandidateCommand(m_doc, id, to));
    m_list->setCurrentIndex(m_candidates->index(to));
}

void WorkspaceEditor::pasteCandidates()
{
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(
        this, tr("Paste candidates"), tr("One candidate per block, separated by a blank line or a line with ---:"), {}, &ok);
    if (!ok)
        return;
    std::vector<polar::Candidate> cands;
    for (const QString &part : splitCandidates(text)) {
        polar::Candidate c;
        c.text = polar::TextField::fromString(part.toStdString());
        cands.push_back(c);
    }
    if (cands.empty()) {
        Q_EMIT message(tr("Nothing to paste: the text was empty."));
        return;
    }
    m_undo->push(new AddCandidatesCommand(m_doc, m_doc->candidateCount(), cands, cands.size() == 1 ? tr("Paste 1 candidate") : tr("Paste %1 candidates").arg(cands.size())));
}

void WorkspaceEditor::importRecord(const QString &path)
{
    try {
        const auto lines = polar::readJsonl(path.toStdString());
        if (lines.empty())
            throw polar::Error(path.toStdString() + ": holds no records");
        int lineNumber = int(lines.front().number);
        if (lines.size() > 1) {
            bool ok = false;
            lineNumber = QInputDialog::getInt(this, tr("Import record"), tr("Line number of the record (1–%1):").arg(lines.back().number),
                                              lineNumber, 1, int(lines.back().number), 1, &ok);
            if (!ok)
                return;
        }
        const auto it = std::find_if(lines.begin(), lines.end(), [&](const auto &l) { return int(l.number) == lineNumber; });
        const std::string where = path.toStdString() + ":" + std::to_string(lineNumber);
        if (it == lines.end())
            throw polar::Error(where + ": blank line");
        if (!it->ok())
            throw polar::Error(where + ": " + it->error);
        const polar::ScoreRecord rec = polar::importRecord(it->value, where);
        m_undo->beginMacro(tr("Import record"));
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Prompt, m_doc->workspace().prompt, rec.prompt));
        m_undo->push(new EditFieldCommand(m_doc, WorkspaceDocument::Field::Reference, m_doc->workspace().reference, rec.reference));
        std::vector<polar::Candidate> cands(rec.outputs.size());
        for (size_t i = 0; i < cands.size(); ++i)
            cands[i].text = rec.outputs[i];
        m_undo->push(new AddCandidatesCommand(m_doc, m_doc->candidateCount(), cands, tr("Import candidates")));
        m_undo->endMacro();
    } catch (const std::exception &e) {
        Q_EMIT message(tr("Could not import: %1").arg(QString::fromUtf8(e.what())));
    }
}

void WorkspaceEditor::markSelected(polar::Candidate::Mark mark)
{
    const int64_t id = currentId();
    if (id <= 0)
        return;
    const QString text = mark == polar::Candidate::Mark::Chosen ? tr("Mark chosen")
        : mark == polar::Candidate::Mark::Rejected              ? tr("Mark rejected")
                                                                : tr("Clear mark");
    m_undo->push(new SetMarksCommand(m_doc, {{id, mark}}, text));
}

void WorkspaceEditor::acceptModelRanking()
{
    const auto marks = polar::marksFromScores(m_doc->workspace());
    if (marks.empty())
        return;
    // The user's own marks are not overwritten without asking.
    if (polar::hasMarks(m_doc->workspace())
        && QMessageBox::question(this, tr("Accept the model's ranking"),
                                 tr("Some candidates are marked already. Replace your marks with the model's ranking?"))
            != QMessageBox::Yes)
        return;
    m_undo->push(new SetMarksCommand(m_doc, marks, tr("Accept the model's ranking")));
}
