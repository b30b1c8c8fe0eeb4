#pragma once

// What the heliodeskctl tests share: the tool's exit codes, one run of the real binary as a
// separate process (waited for, or kept running while the test's event loop turns), and the
// environment that keeps such a run inside the test's temporary folder.

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class QProcess;

namespace heliodesk::test::ctl {

// The exit codes are heliodeskctl's interface, so the tests spell them out instead of including
// the tool's header.
enum Exit : int {
    Success = 0,
    Failure = 1,
    Usage = 2,
    QuotaExceeded = 3,
    NotFoundOrNotAllowed = 4,
    ProviderError = 5,
    Cancelled = 130,
};

/// Where the build put heliodeskctl.
QString ctlPath();

inline const QByteArray rootPassword = QByteArrayLiteral("root password 1");
inline const QByteArray analystPassword = QByteArrayLiteral("analyst password");

/// One finished (or timed-out) run of heliodeskctl.
struct CtlRun {
    QStringList arguments;
    bool finished = false;
    int exitCode = -1;
    QString out;
    QString err;
    qint64 elapsedMs = 0;

    /// The command, how it ended and both output streams, for a test message.
    [[nodiscard]] QString describe() const;
    [[nodiscard]] bool exitedWith(int code) const { return finished && exitCode == code; }
};

/// True when `err` is exactly one line "heliodeskctl: <sentence>".
bool isOneErrorLine(const QString &err);

/// How much of the system environment a run keeps away from (each level includes the ones before).
enum class Isolation {
    /// No HELIODESK_DB or debug switches, and XDG_DATA_HOME in the folder, so that a run without
    /// --db can never touch the real default database.
    Database,
    /// Also no provider variables (HELIODESK_API_BASE, _MODEL, _API_KEY) or proxies, and
    /// XDG_CONFIG_HOME in the folder, so that answers come from where the test says.
    Provider,
    /// Also XDG_CACHE_HOME and HOME in the folder, and no way to a desktop's keychain: no display,
    /// and (when the system had a session bus or a display) a D-Bus address that leads nowhere.
    Keychain,
};

/// The system environment with the XDG folders (and at the Keychain level HOME) under `folder`.
QProcessEnvironment isolatedEnvironment(const QString &folder, Isolation isolation);

/// A heliodeskctl process that runs while the test's event loop keeps turning (a test server may
/// answer from that loop), its output collected as it arrives.
class LiveCtl
{
public:
    LiveCtl(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input = {});
    LiveCtl(const LiveCtl &) = delete;
    LiveCtl &operator=(const LiveCtl &) = delete;
    ~LiveCtl();

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] qint64 pid() const;
    [[nodiscard]] QString out() const { return QString::fromUtf8(m_out); }
    /// What the process has printed so far, for a test message (it keeps running).
    [[nodiscard]] QString describe() const;

    /// Turns the event loop until stdout contains `part`; false when it did not within `ms`.
    bool waitForOutput(const QString &part, int ms = 15'000);

    /// Turns the event loop until the process ends (killing it after `ms`) and reports the run.
    CtlRun finish(int ms = 60'000);

private:
    std::unique_ptr<QProcess> m_process;
    QStringList m_arguments;
    QByteArray m_out;
    QByteArray m_err;
    QElapsedTimer m_timer;
};

/// Runs heliodeskctl with exactly `arguments` and `env`, turning the event loop until it ends;
/// `input` goes to its standard input, which is then closed.
CtlRun runCtl(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input = {});

/// The output of a successful run parsed as JSON, or nothing (with the run logged).
std::optional<QJsonDocument> json(const CtlRun &run);

/// The whole content of a file, or nothing when it cannot be read.
QByteArray readFile(const QString &path);

} // namespace heliodesk::test::ctl

#define QCOMPARE_EXIT(run, expected)                                                                                  \
    do {                                                                                                              \
        const ::heliodesk::test::ctl::CtlRun &run_ = (run);                                                           \
        QVERIFY2(run_.exitedWith(expected), qPrintable(u"expected exit " + QString::number(expected) + u"; " + run_.describe())); \
    } while (false)
