// heliodeskctl: the command-line administration tool. Links model and storage, never QtWidgets.

#include "ctlcommands.h"

#include <heliodesk/version.h>

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Heliodesk"));
    QCoreApplication::setApplicationName(QStringLiteral("heliodeskctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HELIODESK_VERSION));

    // Progress notes would clutter scripted output; warnings still reach stderr.
    if (!qEnvironmentVariableIsSet("HELIODESK_DEBUG"))
        QLoggingCategory::setFilterRules(QStringLiteral("heliodesk.*.info=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QTextStream in(stdin);
    heliodesk::CtlCommands commands(out, err, in);
    const int code = commands.run(QCoreApplication::arguments());
    out.flush();
    err.flush();
    return code;
}
