#pragma once

#include <QLabel>

// A visible warning while the embedded demo model is loaded: its rewards show
// how a reward model behaves on a few synthetic tasks, not what POLAR thinks.
class DemoBanner : public QLabel
{
    Q_OBJECT

public:
    explicit DemoBanner(QWidget *parent = nullptr);
    static QString text();
};
