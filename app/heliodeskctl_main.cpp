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
    int code = commands.run(QCoreApplication::arguments());
    if (code == heliodesk::ExitPending) // a streaming command: the one event loop runs until it ends
        code = QCoreApplication::exec();
    out.flush();
    err.flush();
    return code;
}
