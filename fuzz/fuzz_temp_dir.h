#pragma once
// Loaders that only take a path get the fuzz input through a file in a
// per-process folder under /tmp (mkdtemp), so that parallel fuzzing jobs do
// not overwrite each other's inputs and the loaders stay unchanged. A folder
// rather than a single mkstemp file, because some loaders look at the file
// name (extension) or at files next to the data (CIFAR's batches.meta.txt);
// the folder is empty apart from what the target writes. It is removed at
// exit.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace nebench::fuzz {

class FuzzTempDir {
public:
  /// The process's folder, created on first use.
  static FuzzTempDir &instance() {
    static FuzzTempDir dir;
    return dir;
  }

  /// Writes `size` bytes to `name` in the folder (replacing it) and returns
  /// its path.
  std::string write(const std::string &name, const std::uint8_t *data,
                    std::size_t size) {
    const std::string path = dir_ + "/" + name;
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
      throw std::runtime_error("fuzz: cannot create " + path);
    const bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
    if (std::fclose(f) != 0 || !ok)
      throw std::runtime_error("fuzz: cannot write " + path);
    return path;
  }

  const std::string &path() const { return dir_; }

  FuzzTempDir(const FuzzTempDir &) = delete;
  FuzzTempDir &operator=(const FuzzTempDir &) = delete;

private:
  FuzzTempDir() {
    char pattern[] = "/tmp/nebench_fuzz_XXXXXX";
    if (!mkdtemp(pattern))
      throw std::runtime_error("fuzz: mkdtemp failed under /tmp");
    dir_ = pattern;
  }
  // A static's destructor runs at normal exit (libFuzzer's -runs /
  // -max_total_time end); after a crash the folder stays for inspection.
  ~FuzzTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
};

} // namespace nebench::fuzz
