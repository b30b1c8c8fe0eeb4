// Grabs the first-run dialog, the sign-in dialog and the main window, filled with demo data, into PNG
// files for the documentation. Run it on a real screen or under Xvfb: scripts/screenshots.sh does.

#include "ui/firstrundialog.h"
#include "ui/mainwindow.h"
#include "ui/signindialog.h"

#include "model/planservice.h"
#include "model/quotaservice.h"
#include "support/testdatabase.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTextStream>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

bool save(QWidget *widget, const QDir &folder, const QString &name)
{
    widget->show();
    if (!QTest::qWaitForWindowExposed(widget)) {
        QTextStream(stderr) << "window for " << name << " was not exposed" << Qt::endl;
        return false;
    }
    QTest::qWait(250); // let the style finish painting (focus frames, the cursor)
    const QString path = folder.filePath(name);
    if (!widget->grab().save(path)) {
        QTextStream(stderr) << "could not write " << path << Qt::endl;
        return false;
    }
    QTextStream(stdout) << path << Qt::endl;
    return true;
}

void type(QWidget *parent, const char *field, const QString &text)
{
    auto *edit = parent->findChild<QLineEdit *>(QString::fromLatin1(field));
    if (!edit)
        qFatal("no field %s", field);
    edit->setFocus();
    QTest::keyClicks(edit, text);
}

template<typename T>
T check(Result<T> result, const char *what)
{
    if (!result)
        qFatal("%s: %s", what, qPrintable(result.error().toLogString()));
    return std::move(*result);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("Heliodesk"));
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() != 2) {
        QTextStream(stderr) << "usage: heliodesk_screenshots OUTPUT_FOLDER" << Qt::endl;
        return 2;
    }
    QDir folder(arguments.at(1));
    if (!folder.mkpath(QStringLiteral(".")))
        return 1;
    bool ok = true;

    TestDatabase db;
    if (!db.isValid())
        qFatal("demo database: %s", qPrintable(db.openError().toLogString()));
    const DatabaseLocation &location = db.database()->location();

    {
        FirstRunDialog dialog(db.accounts(), location);
        ok = save(&dialog, folder, QStringLiteral("first-run-dialog.png")) && ok;
        type(&dialog, "usernameEdit", QStringLiteral("ana.lima"));
        type(&dialog, "displayNameEdit", QStringLiteral("Ana Lima"));
        type(&dialog, "passwordEdit", QStringLiteral("sunny"));
        type(&dialog, "confirmEdit", QStringLiteral("sunny days"));
        ok = save(&dialog, folder, QStringLiteral("first-run-dialog-validation.png")) && ok;
    }

    // Demo data: an administrator, a smaller plan, and an analyst on it who has asked 42 questions this month.
    AccountService accounts = db.accounts();
    NewUser ana;
    ana.username = QStringLiteral("ana.lima");
    ana.displayName = QStringLiteral("Ana Lima");
    ana.password = QStringLiteral("sunny inverter 42");
    const Actor admin = Actor::user(check(accounts.createUser(Actor::anonymous(), ana), "create admin"));
    PlanService plans(db.database(), db.clock());
    check(plans.addPlan(admin, QStringLiteral("Field Team"), 150,
                        {QStringLiteral("news"), QStringLiteral("om"), QStringLiteral("market")}),
          "add plan");
    NewUser ben;
    ben.username = QStringLiteral("ben.okafor");
    ben.displayName = QStringLiteral("Ben Okafor");
    ben.password = QStringLiteral("wind and sun 7");
    ben.planName = QStringLiteral("Field Team");
    const UserRecord benRecord = check(accounts.createUser(admin, ben), "create analyst");
    check(plans.hireAgents(Actor::user(benRecord), ben.username, {QStringLiteral("news"), QStringLiteral("om")}), "hire");
    QuotaService quota(db.database(), db.clock());
    for (int i = 0; i < 42; ++i)
        check(quota.reserve(Actor::user(benRecord), i % 3 == 0 ? QStringLiteral("om") : QStringLiteral("news")), "reserve");

    {
        SignInDialog dialog(db.accounts(), location);
        dialog.setUsername(QStringLiteral("ben.okafor"));
        ok = save(&dialog, folder, QStringLiteral("sign-in-dialog.png")) && ok;
        type(&dialog, "passwordEdit", QStringLiteral("wind and rain"));
        QTest::keyClick(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit")), Qt::Key_Return);
        ok = save(&dialog, folder, QStringLiteral("sign-in-dialog-wrong-password.png")) && ok;
        type(&dialog, "passwordEdit", ben.password);
        QTest::keyClick(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit")), Qt::Key_Return);
        if (!dialog.signedInUser())
            qFatal("demo sign-in failed");
    }

    {
        MainWindow window(db.database(), db.clock(), check(accounts.signIn(ben.username, ben.password), "sign in"));
        ok = save(&window, folder, QStringLiteral("main-window.png")) && ok;
    }
    return ok ? 0 : 1;
}
