// heliodesk: the desktop program. Opens the database, signs the user in and shows the main window.

#include "appwiring.h"

#include "model/databasesettings.h"
#include "resources/heliodeskresources.h"
#include "storage/databaselocation.h"

#include <heliodesk/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <memory>

using namespace heliodesk;

namespace {

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Heliodesk"));
    QCoreApplication::setApplicationName(QStringLiteral("Heliodesk"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HELIODESK_VERSION));
}

QCommandLineOption databaseOption()
{
    return QCommandLineOption(
        QStringList{QStringLiteral("db")},
        QCoreApplication::translate("heliodesk",
                                    "Use the database at LOCATION: a SQLite file or a postgresql://user@host/dbname URL. "
                                    "Without it, HELIODESK_DB is used, else the one chosen in Settings, else %1.")
            .arg(DatabaseLocation::defaultSqlitePath()),
        QCoreApplication::translate("heliodesk", "LOCATION"));
}

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QCoreApplication::translate("heliodesk", "Desktop chat with energy-sector AI agents."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(databaseOption());
}

/// --help and --version need no screen: answering them without the GUI lets them work over ssh and in packaging checks.
bool onlyAsksForText(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "-?" || arg == "--help-all" || arg == "--version" || arg == "-v")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    setApplicationIdentity();
    if (onlyAsksForText(argc, argv)) {
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    // The window's icon on X11 and Windows; Wayland compositors find it through the desktop file
    // named after the application id (packaging/linux/, HELIODESK_APP_ID from cmake/Packaging.cmake).
    initResources(); // the icon is in the compiled-in resources
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/heliodesk.png")));
    QGuiApplication::setDesktopFileName(QStringLiteral(HELIODESK_APP_ID));
    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);

    std::optional<QString> commandLine;
    if (parser.isSet(QStringLiteral("db")))
        commandLine = parser.value(QStringLiteral("db"));
    const Result<DatabaseChoice> choice = DatabaseSettings().resolve(commandLine);
    const Result<DatabaseLocation> location = choice.map([](const DatabaseChoice &c) { return c.location; });

    AppWiring wiring(AppWiring::SmokeTest::fromEnvironment());
    if (const auto exitCode = wiring.start(location))
        return *exitCode;
    return app.exec();
}
