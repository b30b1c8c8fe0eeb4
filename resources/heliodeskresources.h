#pragma once

// The files compiled into Heliodesk: agent catalogue, agent icons and starter knowledge.

namespace heliodesk {

/// Registers the ":/agents/..." and ":/knowledge/..." resources. Idempotent and thread-safe; call
/// it before reading those paths from a program that links heliodesk_resources statically.
void initResources();

/// A hash of the compiled-in agent and knowledge files, computed when Heliodesk was built.
const char *resourcesFingerprint();

} // namespace heliodesk
