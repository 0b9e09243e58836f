#pragma once
// SHA-256 (FIPS 180-4) of files and buffers, to verify dataset sources
// against datasets/registry.json.

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

class Sha256 {
public:
  Sha256();
  void update(const void *data, std::size_t size);
  /// Lower-case hex digest; the object must not be updated afterwards.
  std::string hex_digest();

private:
  void block(const std::uint8_t *p);
  std::uint32_t h_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

/// Hex SHA-256 of a whole file; throws DataError naming the file if unreadable.
std::string sha256_file(const std::string &path);
std::string sha256_bytes(const std::string &bytes);

} // namespace nebench
