#include "heliodeskresources.h"

#include <QtGlobal>

#include <mutex>

// Q_INIT_RESOURCE declares a function in the current namespace, so it must run at global scope.
static void registerHeliodeskResources()
{
    Q_INIT_RESOURCE(heliodesk);
}

namespace heliodesk {

void initResources()
{
    static std::once_flag once;
    std::call_once(once, registerHeliodeskResources);
}

const char *resourcesFingerprint()
{
    return HELIODESK_RESOURCES_FINGERPRINT;
}

} // namespace heliodesk
