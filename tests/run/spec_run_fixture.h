#pragma once
// Shared fixture of the runner's end-to-end tests: a fresh temporary folder
// per test, spec files written into it, and run_spec() with one thread.

#include "engine/run/runner.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

namespace nebench {

class SpecRunTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nebench_run_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    setenv("NEBENCH_ROOT", NEBENCH_SOURCE_DIR, 1);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const nlohmann::json &spec, const std::string &name) {
    const auto path = dir_ / (name + ".json");
    std::ofstream(path) << spec.dump(1);
    return path.string();
  }

  RunOutcome run(const std::string &spec, const std::string &out,
                 std::vector<std::string> only = {}) {
    RunOptions o;
    o.spec_path = spec;
    o.profile = "full";
    o.out_path = out;
    o.threads = 1;
    o.only = std::move(only);
    o.repo_root = NEBENCH_SOURCE_DIR;
    return run_spec(o);
  }

  std::filesystem::path dir_;
};

} // namespace nebench
