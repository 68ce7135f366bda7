#pragma once

#include <QWidget>

class QLabel;
class QTextBrowser;

// The selected candidate beside the reference, with a word diff: words only in
// the reference struck through in red, words only in the candidate in green.
class DiffView : public QWidget
{
    Q_OBJECT

public:
    explicit DiffView(QWidget *parent = nullptr);
    void setTexts(const QString &reference, const QString &candidate, const QString &candidateTitle);
    void clear();

private:
    QLabel *m_leftTitle, *m_rightTitle;
    QTextBrowser *m_left, *m_right;
};
