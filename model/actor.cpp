#include "actor.h"

namespace heliodesk {

Actor Actor::user(const UserRecord &record)
{
    Actor actor;
    actor.m_kind = Kind::User;
    actor.m_userId = record.id;
    actor.m_name = record.username;
    actor.m_role = record.role;
    return actor;
}

Actor Actor::system(const QString &description)
{
    Actor actor;
    actor.m_kind = Kind::System;
    actor.m_name = description;
    actor.m_role = Role::Admin;
    return actor;
}

Actor Actor::anonymous()
{
    return Actor();
}

} // namespace heliodesk
