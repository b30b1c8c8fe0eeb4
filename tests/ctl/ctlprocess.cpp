#include "ctlprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>

namespace heliodesk::test::ctl {

QString ctlPath()
{
    return QStringLiteral(HELIODESKCTL_PATH);
}

QString CtlRun::describe() const
{
    return u"heliodeskctl " + arguments.join(u' ') + (finished ? u" exited with " + QString::number(exitCode) : QStringLiteral(" did not finish"))
        + u" after " + QString::number(elapsedMs) + u" ms\n--- stdout:\n" + out + u"--- stderr:\n" + err;
}

bool isOneErrorLine(const QString &err)
{
    return err.startsWith(u"heliodeskctl: ") && err.endsWith(u'\n') && err.count(u'\n') == 1 && err.size() > 20;
}

QProcessEnvironment isolatedEnvironment(const QString &folder, Isolation isolation)
{
    const QDir dir(folder);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("HELIODESK_DB"));
    env.remove(QStringLiteral("HELIODESK_DEBUG"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("xdg-data")));
    if (isolation == Isolation::Database)
        return env;

    for (const char *name : {"HELIODESK_API_BASE", "HELIODESK_MODEL", "HELIODESK_API_KEY", "http_proxy", "HTTP_PROXY", "https_proxy",
                             "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("xdg-config")));
    if (isolation == Isolation::Provider)
        return env;

    env.insert(QStringLiteral("XDG_CACHE_HOME"), dir.filePath(QStringLiteral("xdg-cache")));
    env.insert(QStringLiteral("HOME"), dir.filePath(QStringLiteral("home")));
    if (env.contains(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")) || env.contains(QStringLiteral("DISPLAY"))
        || env.contains(QStringLiteral("WAYLAND_DISPLAY"))) {
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), u"unix:path=" + dir.filePath(QStringLiteral("no-such-bus")));
    }
    return env;
}

LiveCtl::LiveCtl(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input)
    : m_process(std::make_unique<QProcess>())
    , m_arguments(arguments)
{
    QObject::connect(m_process.get(), &QProcess::readyReadStandardOutput, m_process.get(),
                     [this] { m_out += m_process->readAllStandardOutput(); });
    QObject::connect(m_process.get(), &QProcess::readyReadStandardError, m_process.get(),
                     [this] { m_err += m_process->readAllStandardError(); });
    m_process->setProgram(ctlPath());
    m_process->setArguments(arguments);
    m_process->setProcessEnvironment(env);
    m_timer.start();
    m_process->start();
    if (!m_process->waitForStarted(10'000))
        return;
    if (!input.isEmpty())
        m_process->write(input);
    m_process->closeWriteChannel();
}

LiveCtl::~LiveCtl()
{
    if (isRunning()) {
        m_process->kill();
        m_process->waitForFinished(5'000);
    }
}

bool LiveCtl::isRunning() const
{
    return m_process->state() != QProcess::NotRunning;
}

qint64 LiveCtl::pid() const
{
    return m_process->processId();
}

QString LiveCtl::describe() const
{
    return u"heliodeskctl " + m_arguments.join(u' ') + (isRunning() ? QStringLiteral(" is running") : QStringLiteral(" ended"))
        + u" after " + QString::number(m_timer.elapsed()) + u" ms\n--- stdout:\n" + out() + u"--- stderr:\n" + QString::fromUtf8(m_err);
}

bool LiveCtl::waitForOutput(const QString &part, int ms)
{
    return QTest::qWaitFor([&] { return out().contains(part) || !isRunning(); }, ms) && out().contains(part);
}

CtlRun LiveCtl::finish(int ms)
{
    CtlRun run;
    run.arguments = m_arguments;
    if (m_process->error() == QProcess::FailedToStart) {
        // Never started: not finished, no exit code, the reason as its error output.
        run.elapsedMs = m_timer.elapsed();
        run.err = m_process->errorString();
        return run;
    }
    if (isRunning())
        [[maybe_unused]] const bool ended = QTest::qWaitFor([this] { return !isRunning(); }, ms);
    if (isRunning()) {
        m_process->kill();
        m_process->waitForFinished(5'000);
    } else {
        run.finished = m_process->exitStatus() == QProcess::NormalExit;
    }
    run.elapsedMs = m_timer.elapsed();
    run.exitCode = m_process->exitCode();
    m_out += m_process->readAllStandardOutput();
    m_err += m_process->readAllStandardError();
    run.out = QString::fromUtf8(m_out);
    run.err = QString::fromUtf8(m_err);
    return run;
}

CtlRun runCtl(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input)
{
    LiveCtl live(arguments, env, input);
    return live.finish();
}

std::optional<QJsonDocument> json(const CtlRun &run)
{
    if (!run.exitedWith(Success)) {
        qWarning("%s", qPrintable(run.describe()));
        return std::nullopt;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), qPrintable(run.describe()));
        return std::nullopt;
    }
    return doc;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace heliodesk::test::ctl
