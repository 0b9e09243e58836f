#pragma once
// SIGINT/SIGTERM set a flag instead of killing the process, so the runner can
// finish the current write and leave a resumable file (DESIGN section 4).

#include <atomic>

namespace nebench {

/// Installs the handlers (idempotent) and returns the flag they set.
const std::atomic<bool> &install_interrupt_handlers();
/// True once a signal arrived.
bool interrupt_requested();

} // namespace nebench
