#pragma once

#include "scoring/encoding.h"

#include <QWidget>

class QLabel;
class QTableView;
class QTextBrowser;
class TokenTableModel;

// "What the model sees": the exact encoded text of one candidate, its four
// segments coloured, token boundaries shaded, and the token table.
class EncodedView : public QWidget
{
    Q_OBJECT

public:
    explicit EncodedView(QWidget *parent = nullptr);
    void setInput(const polar::PolarInput &input, const QString &title);
    void clear(const QString &message);
    QString html() const;
    QString title() const; // what it shows, or why nothing

private:
    QLabel *m_title;
    QLabel *m_warning;
    QTextBrowser *m_text;
    TokenTableModel *m_tokens;
    QTableView *m_table;
};

// Segment colours with their names, as an HTML legend.
QString segmentLegendHtml();
