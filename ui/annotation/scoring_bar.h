#pragma once

#include <QWidget>

class AnnotationDocument;
class DatasetScorer;
class QLabel;
class QProgressBar;
class QPushButton;

// Batch scoring's controls: Score / Pause / Resume, the progress bar, items/s and ETA.
class ScoringBar : public QWidget
{
    Q_OBJECT

public:
    ScoringBar(AnnotationDocument *doc, DatasetScorer *scorer, QWidget *parent = nullptr);
    void toggle(); // start, or pause when running

private:
    void reset(); // after a project opens

    AnnotationDocument *m_doc;
    DatasetScorer *m_scorer;
    QPushButton *m_button;
    QProgressBar *m_progress;
    QLabel *m_rate;
};
