#include "widgets/appearance.h"

#include "widgets/app_settings.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QMenu>
#include <QPalette>
#include <QPlainTextEdit>
#include <QStyle>
#include <QStyleFactory>
#include <QTextEdit>

namespace Appearance {
namespace {

SettingValue<int> themeSetting{"view/theme", int(Theme::System)};
SettingValue<int> zoomSetting{"view/textZoom", 0};

QPalette &systemPalette()
{
    static QPalette palette = QApplication::palette();
    return palette;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1f, 0x20, 0x22), text(0xe6, 0xe6, 0xe6), disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2c));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3c, 0x40));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Link, QColor(0x7a, 0xb7, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xc4));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x47, 0x4b));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3c, 0x40));
    p.setColor(QPalette::Mid, QColor(0x50, 0x52, 0x56));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

void applyZoomTo(QWidget *w, int steps)
{
    // Each view keeps the size it started with, so steps are absolute.
    const auto apply = [steps](QWidget *view) {
        QVariant base = view->property("polarBasePointSize");
        if (!base.isValid()) {
            base = view->font().pointSizeF();
            view->setProperty("polarBasePointSize", base);
        }
        QFont f = view->font();
        f.setPointSizeF(std::max(5.0, base.toDouble() + steps));
        view->setFont(f);
    };
    for (QTextEdit *e : w->findChildren<QTextEdit *>())
        apply(e);
    for (QPlainTextEdit *e : w->findChildren<QPlainTextEdit *>())
        apply(e);
}

// `keys` and the platform's standard ones, each once: a key listed twice on
// one action makes Qt call the shortcut ambiguous and do nothing.
QList<QKeySequence> keysWith(const QKeySequence &keys, QKeySequence::StandardKey standard)
{
    QList<QKeySequence> out{keys};
    for (const QKeySequence &k : QKeySequence::keyBindings(standard))
        if (!out.contains(k))
            out << k;
    return out;
}

} // namespace

void restore()
{
    systemPalette(); // taken before any change
    setTheme(Theme(themeSetting.get()));
}

void setTheme(Theme t)
{
    themeSetting.set(int(t));
    if (t == Theme::System) {
        QApplication::setPalette(systemPalette());
        return;
    }
    // Fusion draws every widget from the palette, so both themes are complete.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(t == Theme::Dark ? darkPalette() : QApplication::style()->standardPalette());
}

Theme theme()
{
    return Theme(themeSetting.get());
}

bool isDark()
{
    const QPalette p = QApplication::palette();
    return p.color(QPalette::Window).lightnessF() < 0.5;
}

QColor tone(Tone t)
{
    const bool dark = isDark();
    switch (t) {
    case Tone::Good: return dark ? QColor(0x6f, 0xd0, 0x8c) : QColor(0x1b, 0x7f, 0x3b);
    case Tone::Bad: return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x2a, 0x2a);
    case Tone::Warning: return dark ? QColor(0xf0, 0xb4, 0x50) : QColor(0xa0, 0x58, 0x00);
    case Tone::Muted: return dark ? QColor(0xa0, 0xa0, 0xa0) : QColor(0x6a, 0x6a, 0x6a);
    }
    return {};
}

QColor textOnPastel()
{
    return QColor(0x1a, 0x1a, 0x1a);
}

QString errorHtml(const QString &text)
{
    return QStringLiteral("<span style='color:%1'>%2</span>").arg(tone(Tone::Bad).name(), text.toHtmlEscaped());
}

QString warningHtml(const QString &text)
{
    return QStringLiteral("<span style='color:%1'>⚠ %2</span>").arg(tone(Tone::Warning).name(), text.toHtmlEscaped());
}

int zoomSteps()
{
    return zoomSetting.get();
}

void setZoomSteps(int steps)
{
    steps = std::clamp(steps, -6, 16);
    zoomSetting.set(steps);
    for (QWidget *w : QApplication::topLevelWidgets())
        applyZoomTo(w, steps);
}

void applyZoom(QWidget *root)
{
    applyZoomTo(root, zoomSteps());
}

void addViewMenu(QMenu *menu, QWidget *window)
{
    auto *zoomIn = menu->addAction(QObject::tr("Zoom &in"), window, [] { setZoomSteps(zoomSteps() + 1); });
    zoomIn->setObjectName("zoomIn");
    zoomIn->setShortcuts(keysWith(QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn));
    auto *zoomOut = menu->addAction(QObject::tr("Zoom &out"), window, [] { setZoomSteps(zoomSteps() - 1); });
    zoomOut->setObjectName("zoomOut");
    zoomOut->setShortcuts(keysWith(QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut));
    auto *reset = menu->addAction(QObject::tr("&Actual size"), window, [] { setZoomSteps(0); });
    reset->setObjectName("zoomReset");
    for (QAction *a : {zoomIn, zoomOut, reset})
        window->addAction(a); // the window's shortcuts, wherever its menu bar is
    menu->addSeparator();
    QMenu *themes = menu->addMenu(QObject::tr("&Theme"));
    auto *group = new QActionGroup(themes);
    const std::pair<Theme, QString> choices[] = {{Theme::System, QObject::tr("&System")},
                                                 {Theme::Light, QObject::tr("&Light")},
                                                 {Theme::Dark, QObject::tr("&Dark")}};
    for (const auto &[t, name] : choices) {
        QAction *a = themes->addAction(name, window, [t = t] { setTheme(t); });
        a->setCheckable(true);
        a->setChecked(theme() == t);
        a->setActionGroup(group);
    }
    // Another window may change the theme: the checks follow when the menu opens.
    QObject::connect(themes, &QMenu::aboutToShow, themes, [themes] {
        const auto actions = themes->actions();
        for (int i = 0; i < actions.size(); ++i)
            actions[i]->setChecked(int(theme()) == i);
    });
}

} // namespace Appearance
