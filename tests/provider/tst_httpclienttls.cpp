// The HTTP client over TLS against a local QSslServer with a self-signed certificate for
// localhost (tests/provider/tls/, valid until 2126): trusted, the answer arrives; not trusted, the
// exchange fails as Tls with the reason in words, and nothing is sent in the clear.

#include "model/net/httpclient.h"

#include <QCoroTask>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

using namespace heliodesk;
using namespace std::chrono_literals;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct Fetched {
    HttpExchange::Failure failure = HttpExchange::Failure::None;
    QString failureText;
    int status = 0;
    QByteArray body;
};

QCoro::Task<Fetched> fetch(HttpClient *client, QUrl url)
{
    HttpRequest request;
    request.url = std::move(url);
    request.body = "{}";
    const std::unique_ptr<HttpExchange> exchange = client->send(std::move(request), 5s);
    Fetched f;
    while (!exchange->isFinished()) {
        if (!co_await exchange->changed(5s))
            break;
        f.body += exchange->body();
        exchange->discardBody();
    }
    f.failure = exchange->failure();
    f.failureText = exchange->failureText();
    f.status = exchange->hasHead() ? exchange->head().status : 0;
    co_return f;
}

} // namespace

class TestHttpClientTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS library here");
        m_certificate = QSslCertificate(readFile(QFINDTESTDATA("tls/localhost.crt")), QSsl::Pem);
        const QSslKey key(readFile(QFINDTESTDATA("tls/localhost.key")), QSsl::Rsa, QSsl::Pem);
        QVERIFY(!m_certificate.isNull());
        QVERIFY(!key.isNull());
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(m_certificate);
        configuration.setPrivateKey(key);
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(configuration);
        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto *ssl = qobject_cast<QSslSocket *>(socket);
                connect(ssl, &QSslSocket::readyRead, ssl, [this, ssl] {
                    m_received += ssl->readAll();
                    if (!m_received.contains("\r\n\r\n{}"))
                        return;
                    ssl->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "e\r\ndata: secret\n\n\r\n0\r\n\r\n");
                });
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
    }

    void init() { m_received.clear(); }

    void trustedCertificate()
    {
        HttpClient client;
        QSslConfiguration trusting = QSslConfiguration::defaultConfiguration();
        trusting.setCaCertificates({m_certificate});
        client.setTlsConfiguration(trusting);
        const Fetched f = QCoro::waitFor(fetch(&client, url()));
        QCOMPARE(f.failure, HttpExchange::Failure::None);
        QCOMPARE(f.status, 200);
        QCOMPARE(f.body, QByteArray("data: secret\n\n"));
        QVERIFY(m_received.startsWith("POST / HTTP/1.1\r\n"));
        QCOMPARE(client.idleConnections(), 1); // kept alive, as over plain TCP
    }

    void untrustedCertificate()
    {
        HttpClient client; // the system's authorities: they do not know this certificate
        const Fetched f = QCoro::waitFor(fetch(&client, url()));
        QCOMPARE(f.failure, HttpExchange::Failure::Tls);
        QVERIFY2(f.failureText.contains(u"certificate", Qt::CaseInsensitive), qPrintable(f.failureText));
        QCOMPARE(f.status, 0);
        QVERIFY(m_received.isEmpty()); // the request never left in the clear
        QCOMPARE(client.runningExchanges(), 0);
    }

private:
    QUrl url() const { return QUrl(u"https://localhost:" + QString::number(m_server.serverPort()) + u'/'); }

    QSslServer m_server;
    QSslCertificate m_certificate;
    QByteArray m_received;
};

QTEST_GUILESS_MAIN(TestHttpClientTls)
#include "tst_httpclienttls.moc"
