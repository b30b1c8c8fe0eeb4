// The keychain module (heliodesk_keychain): KeychainBackend on QtKeychain, loaded on first use.

#include "keychainbackend.h"

#include <QPointer>

#include <qt6keychain/keychain.h>

namespace heliodesk {

namespace {

KeychainReply::Status statusOf(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError: return KeychainReply::Status::Ok;
    case QKeychain::EntryNotFound: return KeychainReply::Status::EntryNotFound;
    case QKeychain::CouldNotDeleteEntry: return KeychainReply::Status::CouldNotDeleteEntry;
    case QKeychain::AccessDeniedByUser: return KeychainReply::Status::AccessDeniedByUser;
    case QKeychain::AccessDenied: return KeychainReply::Status::AccessDenied;
    case QKeychain::NoBackendAvailable: return KeychainReply::Status::NoBackendAvailable;
    case QKeychain::NotImplemented: return KeychainReply::Status::NotImplemented;
    case QKeychain::OtherError: return KeychainReply::Status::OtherError;
    }
    return KeychainReply::Status::OtherError;
}

} // namespace

class QtKeychainBackend : public QObject, public KeychainBackend
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID HeliodeskKeychainBackend_iid)
    Q_INTERFACES(heliodesk::KeychainBackend)

public:
    void start(const KeychainRequest &request, QObject *context, std::function<void(const KeychainReply &)> done) override
    {
        QKeychain::Job *job = nullptr;
        switch (request.operation) {
        case KeychainRequest::Operation::Read:
            job = new QKeychain::ReadPasswordJob(request.service);
            break;
        case KeychainRequest::Operation::Write: {
            auto *write = new QKeychain::WritePasswordJob(request.service);
            write->setTextData(request.text);
            job = write;
            break;
        }
        case KeychainRequest::Operation::Remove:
            job = new QKeychain::DeletePasswordJob(request.service);
            break;
        }
        job->setKey(request.key);
        job->setInsecureFallback(false); // never a plain-text copy in a settings file
        job->setAutoDelete(true);        // deleted after finished(), however long it takes
        const QPointer<QObject> guard(context);
        const bool read = request.operation == KeychainRequest::Operation::Read;
        QObject::connect(job, &QKeychain::Job::finished, job, [guard, read, done = std::move(done)](QKeychain::Job *finished) {
            if (!guard)
                return; // the caller stopped waiting
            KeychainReply reply;
            reply.status = statusOf(finished->error());
            reply.backendCode = int(finished->error());
            reply.message = finished->errorString();
            if (read && finished->error() == QKeychain::NoError)
                reply.text = static_cast<QKeychain::ReadPasswordJob *>(finished)->textData();
            done(reply);
        });
        job->start(); // queued: finished() never comes before this returns
    }
};

} // namespace heliodesk

#include "keychainplugin.moc"
