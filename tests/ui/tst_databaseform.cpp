// Settings ▸ Database, driven with keys and clicks: choosing a team server, what is refused and
// saved (never a password), Test Connection against a server that is not there and — in
// tst_ui_databaseform_pg — against the PostgreSQL test cluster, and a password the keychain
// cannot take (these machines have no keychain).

#include "ui/databaseform.h"
#include "ui/messagelabel.h"
#include "ui/settingsdialog.h"

#include "model/databasesettings.h"

#include "support/testdatabase.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace heliodesk;

class TestDatabaseForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
            qputenv(name, QFile::encodeName(m_home.filePath(QString::fromLatin1(name).toLower())));
        qputenv("HOME", QFile::encodeName(m_home.filePath(QStringLiteral("home"))));
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
        qputenv("PGPASSFILE", QFile::encodeName(m_home.filePath(QStringLiteral("no-pgpass"))));
        qunsetenv("HELIODESK_DB");
        qunsetenv("PGPASSWORD");
    }
    void init() { m_settingsFile = m_home.filePath(QStringLiteral("settings-%1.ini").arg(++m_counter)); }
    void cleanup() { m_dialog.reset(); }

    void startsOnThisComputerWithTheDatabaseInUse()
    {
        open(DatabaseLocation::sqliteFile(m_home.filePath(QStringLiteral("in-use.sqlite3"))));
        QVERIFY(child<QRadioButton>("localDatabaseRadio")->isChecked());
        QVERIFY(!child<QLineEdit>("databaseAddressEdit")->isEnabled());
        QVERIFY2(child<QLabel>("databaseInUseLabel")->text().contains(u"in-use.sqlite3"),
                 qPrintable(child<QLabel>("databaseInUseLabel")->text()));
        QVERIFY(!m_dialog->databaseForm()->isModified());
    }

    void addressWithAPasswordIsRefusedAndNothingIsSaved()
    {
        open();
        QTest::mouseClick(child<QRadioButton>("teamDatabaseRadio"), Qt::LeftButton);
        QVERIFY(child<QLineEdit>("databaseAddressEdit")->isEnabled());
        type("databaseAddressEdit", QStringLiteral("postgresql://ann:hunter2@db.example.com/team"));
        QVERIFY(!m_dialog->databaseForm()->isValid());
        QVERIFY(!okButton()->isEnabled());
        const QString message = child<MessageLabel>("databaseAddressMessage")->text();
        QVERIFY2(message.contains(u"Password field"), qPrintable(message));
        QVERIFY(!child<QPushButton>("testDatabaseButton")->isEnabled());
        type("databaseAddressEdit", QStringLiteral("mysql://ann@db.example.com/team"));
        QVERIFY(!okButton()->isEnabled());
        QVERIFY(DatabaseSettings(m_settingsFile).savedLocation().isEmpty());
    }

    void teamServerIsSavedWithoutPasswordAndTakesEffectAtNextStart()
    {
        open();
        QTest::mouseClick(child<QRadioButton>("teamDatabaseRadio"), Qt::LeftButton);
        type("databaseAddressEdit", QStringLiteral("postgresql://ann@db.example.com:5433/team"));
        QVERIFY(m_dialog->databaseForm()->isValid());
        QVERIFY(okButton()->isEnabled());
        QTest::mouseClick(m_dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Apply), Qt::LeftButton);
        QCOMPARE(DatabaseSettings(m_settingsFile).savedLocation(), QStringLiteral("postgresql://ann@db.example.com:5433/team"));
        auto resolved = DatabaseSettings(m_settingsFile).resolve();
        QVERIFY(resolved);
        QCOMPARE(resolved->source, DatabaseChoice::Source::Settings);
        QVERIFY(child<QLabel>("databaseRestartNote")->text().contains(u"next time it starts"));
        QVERIFY(!m_dialog->databaseForm()->isModified());

        // Reopened, the form shows the saved server; back to this computer clears the setting.
        open();
        QVERIFY(child<QRadioButton>("teamDatabaseRadio")->isChecked());
        QCOMPARE(child<QLineEdit>("databaseAddressEdit")->text(), QStringLiteral("postgresql://ann@db.example.com:5433/team"));
        QTest::mouseClick(child<QRadioButton>("localDatabaseRadio"), Qt::LeftButton);
        QVERIFY(m_dialog->databaseForm()->isModified());
        QTest::mouseClick(okButton(), Qt::LeftButton);
        QVERIFY(DatabaseSettings(m_settingsFile).savedLocation().isEmpty());
    }

    void passwordTheKeychainCannotTakeSaysWhatToDo()
    {
        open();
        QTest::mouseClick(child<QRadioButton>("teamDatabaseRadio"), Qt::LeftButton);
        type("databaseAddressEdit", QStringLiteral("postgresql://ann@db.example.com/team"));
        type("databasePasswordEdit", QStringLiteral("s3cret-pw"));
        QVERIFY(child<QCheckBox>("rememberDatabasePasswordCheck")->isChecked());
        QSignalSpy stored(m_dialog->databaseForm(), &DatabaseForm::passwordStorageFinished);
        QTest::mouseClick(okButton(), Qt::LeftButton);
        QVERIFY(stored.wait(20000));
        QCOMPARE(stored.first().first().toBool(), false);
        QVERIFY(m_dialog->isVisible()); // stays open on the tab that says why
        QCOMPARE(child<QTabWidget>("settingsTabs")->currentWidget()->objectName(), QStringLiteral("databaseTab"));
        const QString status = child<MessageLabel>("databaseStatusMessage")->text();
        QVERIFY2(status.contains(u"PGPASSFILE"), qPrintable(status));
        QCOMPARE(child<QLineEdit>("databasePasswordEdit")->text(), QString());
        const auto location = DatabaseLocation::parse(QStringLiteral("postgresql://ann@db.example.com/team")).value();
        QVERIFY(!DatabaseSettings(m_settingsFile).passwordInKeychain(location));
        QFile file(m_settingsFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("s3cret-pw"));
    }

    void testConnectionToNoServerSaysSoWithoutFreezing()
    {
        open();
        QTest::mouseClick(child<QRadioButton>("teamDatabaseRadio"), Qt::LeftButton);
        type("databaseAddressEdit", QStringLiteral("postgresql://ann@127.0.0.1:1/team?connect_timeout=5"));
        QSignalSpy tested(m_dialog->databaseForm(), &DatabaseForm::connectionTested);
        QTest::mouseClick(child<QPushButton>("testDatabaseButton"), Qt::LeftButton);
        QVERIFY(m_dialog->databaseForm()->isTesting());
        QVERIFY(!child<QPushButton>("testDatabaseButton")->isEnabled());
        QVERIFY(tested.wait(20000));
        QCOMPARE(tested.first().first().toBool(), false);
        const QString status = child<MessageLabel>("databaseStatusMessage")->text();
        QVERIFY2(status.contains(u"cannot be reached"), qPrintable(status));
        QVERIFY(child<QPushButton>("testDatabaseButton")->isEnabled());
        QCOMPARE(Database::openConnectionCount(), 0);
    }

    void testConnectionToTheTeamServer()
    {
        if (!test::onPostgres())
            QSKIP("needs the PostgreSQL test cluster; runs as tst_ui_databaseform_pg");
        // An empty schema first (a new team database), then one Heliodesk has set up.
        test::TestDatabase prepared;
        QVERIFY(prepared.isValid());
        prepared.createAdmin();
        open();
        QTest::mouseClick(child<QRadioButton>("teamDatabaseRadio"), Qt::LeftButton);
        type("databaseAddressEdit", prepared.locationText());
        QSignalSpy tested(m_dialog->databaseForm(), &DatabaseForm::connectionTested);
        QTest::mouseClick(child<QPushButton>("testDatabaseButton"), Qt::LeftButton);
        QVERIFY(tested.wait(20000));
        const QString status = child<MessageLabel>("databaseStatusMessage")->text();
        QVERIFY2(tested.first().first().toBool(), qPrintable(status));
        QVERIFY2(status.contains(u"PostgreSQL") && status.contains(u"1 user"), qPrintable(status));

        QUrl empty(test::postgresServerUrl());
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("options"), QStringLiteral("-c search_path=no_such_schema_yet"));
        empty.setQuery(query);
        type("databaseAddressEdit", empty.toString(QUrl::FullyEncoded));
        QVERIFY(child<QPushButton>("testDatabaseButton")->isEnabled());
        tested.clear();
        QTest::mouseClick(child<QPushButton>("testDatabaseButton"), Qt::LeftButton);
        QVERIFY(tested.wait(20000));
        const QString emptyStatus = child<MessageLabel>("databaseStatusMessage")->text();
        QVERIFY2(tested.first().first().toBool(), qPrintable(emptyStatus));
        QVERIFY2(emptyStatus.contains(u"empty"), qPrintable(emptyStatus));
    }

private:
    void open(std::optional<DatabaseLocation> inUse = std::nullopt)
    {
        m_dialog = std::make_unique<SettingsDialog>(m_settingsFile, nullptr, std::move(inUse));
        m_dialog->open();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
        auto *tabs = child<QTabWidget>("settingsTabs");
        tabs->setCurrentWidget(child<QWidget>("databaseTab"));
    }
    template<typename T>
    T *child(const char *name) const
    {
        auto *widget = m_dialog->findChild<T *>(QString::fromLatin1(name));
        if (!widget)
            qFatal("no child %s", name);
        return widget;
    }
    void type(const char *name, const QString &text)
    {
        auto *edit = child<QLineEdit>(name);
        edit->setFocus();
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, text);
    }
    QPushButton *okButton() const { return m_dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok); }

    QTemporaryDir m_home;
    QString m_settingsFile;
    int m_counter = 0;
    std::unique_ptr<SettingsDialog> m_dialog;
};

QTEST_MAIN(TestDatabaseForm)
#include "tst_databaseform.moc"
