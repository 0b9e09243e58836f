#include "engine/run/interrupt.h"

#include <csignal>

namespace nebench {

namespace {
std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }
} // namespace

const std::atomic<bool> &install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return g_stop;
}

bool interrupt_requested() { return g_stop.load(); }

} // namespace nebench
