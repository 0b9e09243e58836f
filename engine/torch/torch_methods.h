#pragma once
// Installs what engine/torch adds to the method registry (engine/ne/
// method_registry.h): the builders of {"type": "cne", "parametric": true}
// and {"type": "tsimcne"}, and the "cuda" device. Called explicitly by the CLI
// (engine/cli/main.cpp) and by tests: registration from static initialisers
// would be dropped by the linker, since nothing references this object file of
// the static library otherwise.

namespace nebench {

/// Idempotent.
void register_torch_methods();

} // namespace nebench
