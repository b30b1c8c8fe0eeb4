#pragma once

// Who is asking a service to do something: a signed-in user, or the local operator running heliodeskctl.

#include "storage/records.h"

#include <optional>

namespace heliodesk {

class Actor
{
public:
    /// A signed-in user.
    static Actor user(const UserRecord &record);
    /// The operator of this machine using heliodeskctl on the database file directly, like a
    /// server's admin console: may do every admin operation, and is named in the audit log.
    static Actor system(const QString &description);
    /// Nobody signed in yet: may only create the first account on an empty database.
    static Actor anonymous();

    [[nodiscard]] std::optional<qint64> userId() const { return m_userId; }
    [[nodiscard]] const QString &name() const { return m_name; }
    [[nodiscard]] bool isSystem() const { return m_kind == Kind::System; }
    [[nodiscard]] bool isAnonymous() const { return m_kind == Kind::Anonymous; }
    /// The role when signed in; services re-read it from the database before admin work.
    [[nodiscard]] Role role() const { return m_role; }

private:
    enum class Kind { User, System, Anonymous };
    Kind m_kind = Kind::Anonymous;
    std::optional<qint64> m_userId;
    QString m_name;
    Role m_role = Role::Analyst;
};

} // namespace heliodesk
