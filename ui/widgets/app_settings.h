#pragma once

#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>

class QMenu;
class QSplitter;
class QTabWidget;

// A setting's key and default, declared once (qBittorrent's SettingValue).
template <typename T>
class SettingValue
{
public:
    SettingValue(const char *key, T fallback) : m_key(key), m_default(std::move(fallback)) {}
    T get() const { return QSettings().value(m_key, QVariant::fromValue(m_default)).template value<T>(); }
    void set(const T &v) const { QSettings().setValue(m_key, QVariant::fromValue(v)); }

private:
    const char *m_key;
    T m_default;
};

namespace AppSettings {
inline SettingValue<QStringList> recentModels{"models/recent", {}};
// The last remote server (never its API key: that comes from $POLAR_API_KEY or is typed each time).
inline SettingValue<QString> remoteEngine{"models/remoteEngine", "vllm"};
inline SettingValue<QString> remoteAddress{"models/remoteAddress", {}};
inline SettingValue<QStringList> recentSessions{"sessions/recent", {}};
inline SettingValue<QString> lastExportFile{"export/lastFile", {}};
// Where file dialogs start when not told (widgets/file_dialogs).
inline SettingValue<QString> lastFolder{"files/lastFolder", {}};
inline SettingValue<QByteArray> windowGeometry{"window/geometry", {}};
inline SettingValue<QByteArray> datasetWindowGeometry{"datasetWindow/geometry", {}};
inline SettingValue<QByteArray> windowState{"window/state", {}};
inline SettingValue<QByteArray> mainSplitter{"window/mainSplitter", {}};
inline SettingValue<QString> annotator{"annotation/annotator", {}};
// Candidates in an order of each annotator's own (Dataset > Shuffle candidates).
inline SettingValue<bool> shuffleCandidates{"annotation/shuffle", false};

// A pane's layout as the user left it: restored now (when saved before) and
// saved on every change, so a crash loses nothing either. `key` names it.
void rememberSplitter(QSplitter *splitter, const QString &key);
void rememberTab(QTabWidget *tabs, const QString &key);

// Puts `item` first in a most-recently-used list of at most 10.
void remember(const SettingValue<QStringList> &list, const QString &item);
// Fills `menu` with the recent sessions and models each time it opens.
void followRecent(QMenu *menu, QObject *context, std::function<void(const QString &session)> openSession,
                  std::function<void(const QString &model)> openModel);
} // namespace AppSettings
