#pragma once

#include <QColor>
#include <QString>

class QMenu;
class QWidget;

// The palette (light, dark, or the system's) and the text views' zoom: both
// app-wide, remembered in QSettings, changed from any window's View menu.
namespace Appearance {

enum class Theme { System, Light, Dark };

// Applies the remembered theme and is called once at start-up, after the
// QApplication exists (the system palette is taken from it then).
void restore();
void setTheme(Theme theme);
Theme theme();
bool isDark();

// Colours with a meaning, tuned to the palette in use so that each stays
// readable on the window's background.
enum class Tone { Good, Bad, Warning, Muted };
QColor tone(Tone t);
// Text on one of our fixed pastel backgrounds (segments, heat map, marks):
// dark in every theme, since the background does not change with it.
QColor textOnPastel();
// `text` (plain) as rich text in the palette's colour for errors.
QString errorHtml(const QString &text);
// `text` (plain) as rich text in the palette's colour for warnings, after a ⚠.
QString warningHtml(const QString &text);

// Text views (editors, heat maps, the encoded text) one point larger or
// smaller per step; 0 is the system size.
int zoomSteps();
void setZoomSteps(int steps); // applied to every open window
void applyZoom(QWidget *root);  // for a window created later

// The View menu's theme choices and zoom actions (Ctrl+=, Ctrl+-), for a window.
void addViewMenu(QMenu *menu, QWidget *window);

} // namespace Appearance
