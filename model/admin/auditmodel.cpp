#include "auditmodel.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace heliodesk {

namespace {

QString when(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat);
}

QString keyText(QString key)
{
    key.replace(u'_', u' ');
    return key;
}

QString valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return AuditModel::tr("none");
    case QJsonValue::Bool: return value.toBool() ? AuditModel::tr("yes") : AuditModel::tr("no");
    case QJsonValue::Double: return QLocale().toString(value.toDouble(), 'g', 15);
    case QJsonValue::String: return value.toString();
    case QJsonValue::Array: {
        QStringList parts;
        const QJsonArray array = value.toArray();
        for (const auto &item : array)
            parts << valueText(item);
        return parts.isEmpty() ? AuditModel::tr("none") : parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (object.size() == 2 && object.contains(QStringLiteral("from")) && object.contains(QStringLiteral("to")))
            return AuditModel::tr("%1 → %2").arg(valueText(object.value(QStringLiteral("from"))),
                                                 valueText(object.value(QStringLiteral("to"))));
        QStringList parts;
        for (auto it = object.begin(); it != object.end(); ++it)
            parts << AuditModel::tr("%1: %2").arg(keyText(it.key()), valueText(it.value()));
        return u'(' + parts.join(QStringLiteral(", ")) + u')';
    }
    case QJsonValue::Undefined: break;
    }
    return {};
}

} // namespace

AuditModel::AuditModel(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QObject *parent)
    : QAbstractTableModel(parent)
    , m_service(std::move(database), std::move(clock))
    , m_admin(std::move(admin))
{
}

Result<void> AuditModel::reload(const AuditStore::Filter &filter)
{
    m_filter = filter;
    auto entries = m_service.list(m_admin, m_filter);
    beginResetModel();
    m_rows = entries ? *entries : QList<AuditEntry>();
    endResetModel();
    if (!entries)
        return Unexpected(entries.error());
    return {};
}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString AuditModel::actionTitle(const QString &action)
{
    static const QHash<QString, const char *> titles{
        {QStringLiteral("user.create"), QT_TR_NOOP("Created user")},
        {QStringLiteral("user.update"), QT_TR_NOOP("Changed user")},
        {QStringLiteral("user.delete"), QT_TR_NOOP("Deleted user")},
        {QStringLiteral("user.password-change"), QT_TR_NOOP("Changed own password")},
        {QStringLiteral("user.password-reset"), QT_TR_NOOP("Reset password")},
        {QStringLiteral("user.quota-reset"), QT_TR_NOOP("Reset month's count")},
        {QStringLiteral("plan.create"), QT_TR_NOOP("Created plan")},
        {QStringLiteral("plan.update"), QT_TR_NOOP("Changed plan")},
        {QStringLiteral("plan.delete"), QT_TR_NOOP("Deleted plan")},
        {QStringLiteral("agent.hire"), QT_TR_NOOP("Hired agents")},
        {QStringLiteral("agent.release"), QT_TR_NOOP("Released agents")},
        {QStringLiteral("agent.update"), QT_TR_NOOP("Changed agent")},
        {QStringLiteral("agent.import"), QT_TR_NOOP("Imported knowledge")},
        {QStringLiteral("report.export"), QT_TR_NOOP("Exported report")},
        {QStringLiteral("database.backup"), QT_TR_NOOP("Backed up database")},
    };
    const auto it = titles.constFind(action);
    return it == titles.cend() ? action : tr(*it);
}

QString AuditModel::detailsText(const QString &detailsJson)
{
    const QJsonDocument document = QJsonDocument::fromJson(detailsJson.toUtf8());
    if (!document.isObject())
        return detailsJson == u"{}" ? QString() : detailsJson;
    const QJsonObject object = document.object();
    QStringList parts;
    for (auto it = object.begin(); it != object.end(); ++it)
        parts << tr("%1: %2").arg(keyText(it.key()), valueText(it.value()));
    return parts.join(QStringLiteral(", "));
}

QString AuditModel::targetText(const AuditEntry &entry)
{
    if (entry.targetName.isEmpty())
        return entry.targetId;
    if (entry.targetType == u"user")
        return tr("user %1").arg(entry.targetName);
    if (entry.targetType == u"plan")
        return tr("plan %1").arg(entry.targetName);
    if (entry.targetType == u"agent")
        return tr("agent %1").arg(entry.targetName);
    return entry.targetName;
}

QVariant AuditModel::display(const AuditEntry &entry, int column) const
{
    switch (column) {
    case WhenColumn: return when(entry.createdAtMs);
    case ActorColumn: return entry.actorName;
    case ActionColumn: return actionTitle(entry.action);
    case TargetColumn: return targetText(entry);
    case DetailsColumn: return detailsText(entry.detailsJson);
    default: return {};
    }
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditEntry &entry = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(entry, index.column());
    case Qt::ToolTipRole:
        if (index.column() == ActionColumn)
            return entry.action;
        if (index.column() == WhenColumn)
            return QLocale().toString(QDateTime::fromMSecsSinceEpoch(entry.createdAtMs).toLocalTime(), QLocale::LongFormat);
        return display(entry, index.column());
    case SortRole:
        switch (index.column()) {
        case WhenColumn: return entry.createdAtMs;
        case ActionColumn: return entry.action;
        default: return display(entry, index.column()).toString().toLower();
        }
    case ActionCodeRole: return entry.action;
    case EntryIdRole: return entry.id;
    default: return {};
    }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case WhenColumn: return tr("When");
    case ActorColumn: return tr("Who");
    case ActionColumn: return tr("Action");
    case TargetColumn: return tr("On whom");
    case DetailsColumn: return tr("Details");
    default: return {};
    }
}

} // namespace heliodesk
