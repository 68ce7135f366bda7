#pragma once

#include <QWidget>

#include <QStringList>

class QComboBox;
class QLabel;
class QTextBrowser;

// The selected candidate beside the reference, or beside another candidate,
// with a word diff: words only on the left struck through in red, words only
// in the candidate in green.
class DiffView : public QWidget
{
    Q_OBJECT

public:
    explicit DiffView(QWidget *parent = nullptr);
    // What the left side may show: the reference (id 0) and these candidates.
    void setChoices(const QStringList &labels, const QList<qlonglong> &ids);
    qlonglong against() const; // 0: the reference
    void setAgainst(qlonglong id);
    void setTexts(const QString &left, const QString &leftTitle, const QString &candidate, const QString &candidateTitle);
    void clear();
    QString leftHtml() const;

Q_SIGNALS:
    void againstChanged();

private:
    QComboBox *m_against;
    QLabel *m_leftTitle, *m_rightTitle;
    QTextBrowser *m_left, *m_right;
};
