// CSV files as RFC 4180 says: quoting, doubled quotes, CRLF, UTF-8; formula-safe free text; the
// model's table as shown; atomic writes that leave nothing behind when they fail.

#include "model/admin/csv.h"

#include <QDir>
#include <QFile>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

using namespace heliodesk;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestCsv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void field_data();
    void field();
    void recordsEndWithCrlf();
    void unicodeIsUtf8();
    void shortRowsArePadded();
    void safeText_data();
    void safeText();
    void modelAsShown();
    void writesAtomically();
    void failedWriteKeepsTheOldFile();
    void missingFolderIsSaid();
};

void TestCsv::field_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("ann") << QStringLiteral("ann");
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
    QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
    QTest::newRow("only a quote") << QStringLiteral("\"") << QStringLiteral("\"\"\"\"");
    QTest::newRow("newline") << QStringLiteral("one\ntwo") << QStringLiteral("\"one\ntwo\"");
    QTest::newRow("crlf") << QStringLiteral("one\r\ntwo") << QStringLiteral("\"one\r\ntwo\"");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("\"a\rb\"");
    QTest::newRow("leading space") << QStringLiteral(" x") << QStringLiteral("\" x\"");
    QTest::newRow("trailing space") << QStringLiteral("x ") << QStringLiteral("\"x \"");
    QTest::newRow("inner space") << QStringLiteral("a b") << QStringLiteral("a b");
    QTest::newRow("semicolon") << QStringLiteral("a;b") << QStringLiteral("a;b");
    QTest::newRow("unicode") << QStringLiteral("São Paulo – €35/MWh ☀️") << QStringLiteral("São Paulo – €35/MWh ☀️");
    QTest::newRow("unicode with comma") << QStringLiteral("Müller, Jörg") << QStringLiteral("\"Müller, Jörg\"");
}

void TestCsv::field()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(csvField(text), expected);
}

void TestCsv::recordsEndWithCrlf()
{
    const QByteArray csv = toCsv({QStringLiteral("User"), QStringLiteral("Comment")},
                                 {{QStringLiteral("ann"), QStringLiteral("good, \"really\"\nyes")},
                                  {QStringLiteral("bob"), QString()}});
    QCOMPARE(csv, QByteArray("User,Comment\r\n"
                             "ann,\"good, \"\"really\"\"\nyes\"\r\n"
                             "bob,\r\n"));
}

void TestCsv::unicodeIsUtf8()
{
    const QString name = QStringLiteral("José Ærø 日本 ☀️");
    const QByteArray csv = toCsv({QStringLiteral("Name")}, {{name}});
    QCOMPARE(csv, QByteArray("Name\r\n") + name.toUtf8() + QByteArray("\r\n"));
    QVERIFY(!csv.startsWith("\xEF\xBB\xBF")); // RFC 4180: no byte-order mark
    QCOMPARE(QString::fromUtf8(csv).split(QStringLiteral("\r\n")).at(1), name);
}

void TestCsv::shortRowsArePadded()
{
    QCOMPARE(toCsv({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, {{QStringLiteral("1")}}),
             QByteArray("a,b,c\r\n1,,\r\n"));
    QCOMPARE(toCsv({QStringLiteral("a")}, {{QStringLiteral("1"), QStringLiteral("2")}}), QByteArray("a\r\n1,2\r\n"));
    QCOMPARE(toCsv({QStringLiteral("a")}, {}), QByteArray("a\r\n"));
}

void TestCsv::safeText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("formula") << QStringLiteral("=HYPERLINK(\"http://x\")") << QStringLiteral("'=HYPERLINK(\"http://x\")");
    QTest::newRow("plus") << QStringLiteral("+1") << QStringLiteral("'+1");
    QTest::newRow("minus") << QStringLiteral("-2+3") << QStringLiteral("'-2+3");
    QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
    QTest::newRow("tab") << QStringLiteral("\t=1") << QStringLiteral("'\t=1");
    QTest::newRow("plain") << QStringLiteral("fine = good") << QStringLiteral("fine = good");
    QTest::newRow("empty") << QString() << QString();
}

void TestCsv::safeText()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(csvSafeText(text), expected);
}

void TestCsv::modelAsShown()
{
    QStandardItemModel model(0, 2);
    model.setHorizontalHeaderLabels({QStringLiteral("User"), QStringLiteral("Queries")});
    const QList<std::pair<QString, int>> rows = {{QStringLiteral("carl"), 3}, {QStringLiteral("ann"), 12}, {QStringLiteral("bob"), 5}};
    for (const auto &[user, queries] : rows) {
        auto *count = new QStandardItem;
        count->setData(queries, Qt::DisplayRole);
        model.appendRow({new QStandardItem(user), count});
    }
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(1, Qt::DescendingOrder);
    proxy.setFilterFixedString(QStringLiteral("a"));
    proxy.setFilterKeyColumn(0);
    QCOMPARE(toCsv(proxy), QByteArray("User,Queries\r\nann,12\r\ncarl,3\r\n"));
    QCOMPARE(toCsv(model), QByteArray("User,Queries\r\ncarl,3\r\nann,12\r\nbob,5\r\n"));
}

void TestCsv::writesAtomically()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("usage.csv"));
    const QByteArray bytes = toCsv({QStringLiteral("a")}, {{QStringLiteral("ü")}});
    QVERIFY(writeCsv(path, bytes));
    QCOMPARE(readAll(path), bytes);
    // Overwritten whole, not appended to.
    QVERIFY(writeCsv(path, QByteArray("b\r\n")));
    QCOMPARE(readAll(path), QByteArray("b\r\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("usage.csv")});
}

void TestCsv::failedWriteKeepsTheOldFile()
{
#ifdef Q_OS_UNIX
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("usage.csv"));
    QVERIFY(writeCsv(path, QByteArray("old\r\n")));
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    auto written = writeCsv(path, QByteArray("new\r\n"));
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (written)
        QSKIP("running as root: the folder's permissions do not stop the write");
    QCOMPARE(written.error().code(), ErrorCode::Io);
    QVERIFY2(written.error().message().startsWith(QStringLiteral("Could not save “usage.csv”")),
             qPrintable(written.error().message()));
    QCOMPARE(readAll(path), QByteArray("old\r\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("usage.csv")});
#else
    QSKIP("permissions test for Unix");
#endif
}

void TestCsv::missingFolderIsSaid()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("nowhere/usage.csv"));
    auto written = writeCsv(path, QByteArray("a\r\n"));
    QVERIFY(!written);
    QCOMPARE(written.error().code(), ErrorCode::Io);
    QVERIFY2(written.error().message().contains(QStringLiteral("does not exist")), qPrintable(written.error().message()));
    QVERIFY(!QFile::exists(path));
    // A folder where the file should go.
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("taken.csv")));
    auto onFolder = writeCsv(dir.filePath(QStringLiteral("taken.csv")), QByteArray("a\r\n"));
    QVERIFY(!onFolder);
    QVERIFY2(onFolder.error().message().contains(QStringLiteral("there is a folder of that name")), qPrintable(onFolder.error().message()));
}

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
