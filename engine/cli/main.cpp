// nebench: reproducible neighbor-embedding benchmarks from JSON specs.
// Exit codes: 0 success, 1 failure (a failed check or regression, an internal
// error), 2 bad spec or command line, 3 bad or missing data, 130 interrupted.

#include "build_info.h"
#include "engine/cli/commands.h"
#include "engine/cli/openblas_core.h"
#include "engine/core/errors.h"
#include "engine/core/threads.h"
#ifdef NEBENCH_WITH_TORCH
#include "engine/torch/torch_methods.h"
#include "engine/torch/torch_threads.h"
#endif

#include <CLI/CLI.hpp>
#include <H5Cpp.h>
#include <cstdio>
#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char **argv) {
  using namespace nebench;
  cli::select_openblas_core(argv);
  // LibTorch's CPU training allocates and frees tensors of megabytes per
  // op; with glibc's default thresholds each becomes an mmap/munmap and the
  // freed pages are returned and faulted in again. Keeping them in the heap
  // made an epoch of the small CNN (10,000 28 x 28 images) 13-16 s instead
  // of 20-50 s on the 2-core machine.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{"nebench " NEBENCH_VERSION
               ": reproduce neighbor-embedding papers from JSON specs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nebench " NEBENCH_VERSION
                                    " (" NEBENCH_BUILD_COMMIT ")");
  cli::GlobalOptions g;
  app.add_option("--threads", g.threads,
                 "threads for OpenMP, FAISS and LibTorch (0: all cores)")
      ->check(CLI::Range(0, 1024));
  app.add_flag("-v,--verbose", g.verbose, "debug logging");
  app.add_flag("-q,--quiet", g.quiet, "warnings and errors only");

  // Global options may also follow the subcommand (`nebench run X --threads
  // 2`): subcommands inherit fallthrough and hand unknown options to the app.
  app.fallthrough();
  cli::Action action;
  cli::add_validate(app, action);
  cli::add_run(app, g, action);
  cli::add_check(app, action);
  cli::add_list(app, action);
  cli::add_data(app, g, action);
  cli::add_info(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // CLI11 reports a misspelt command as "A subcommand is required": name
    // the word it did not know and the commands there are.
    const auto left = app.remaining();
    if (app.get_subcommands().empty() && !left.empty() &&
        left.front().rfind("-", 0) != 0) {
      std::string known;
      for (const auto *sub :
           app.get_subcommands([](CLI::App *) { return true; }))
        known += (known.empty() ? "" : ", ") + sub->get_name();
      std::fprintf(stderr, "error: unknown command \"%s\" (commands: %s)\n",
                   left.front().c_str(), known.c_str());
      return 2;
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  auto logger = spdlog::stderr_color_mt("nebench");
  logger->set_pattern("%H:%M:%S %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(g.verbose ? spdlog::level::debug
                    : g.quiet ? spdlog::level::warn
                              : spdlog::level::info);
  H5::Exception::dontPrint();
  set_threads(g.threads);
#ifdef NEBENCH_WITH_TORCH
  set_torch_threads(g.threads);
  // Parametric CNE and the "cuda" device (engine/ne/method_registry.h).
  register_torch_methods();
#endif

  try {
    return action ? action() : 2;
  } catch (const SpecError &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const UsageError &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const DataError &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  } catch (const Interrupted &) {
    std::fprintf(stderr, "interrupted\n");
    return 130;
  } catch (const H5::Exception &e) {
    std::fprintf(stderr, "error: HDF5: %s: %s\n", e.getFuncName().c_str(),
                 e.getDetailMsg().c_str());
    return 3;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
