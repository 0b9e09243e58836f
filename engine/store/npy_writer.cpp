#include "engine/store/npy_writer.h"

#include "engine/core/errors.h"

#include <filesystem>
#include <fstream>

namespace nebench {

namespace {
void write_array(const std::string &path, const std::string &descr,
                 const std::string &shape, const void *data,
                 std::size_t bytes) {
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out)
      throw DataError(path, "cannot write");
    out.write("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(header.size());
    const char len_bytes[2] = {static_cast<char>(len & 0xff),
                               static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char *>(data),
              static_cast<std::streamsize>(bytes));
    if (!out)
      throw DataError(path, "write failed (disk full?)");
  }
  std::filesystem::rename(tmp, path);
}
} // namespace

void write_npy(const std::string &path, const Matrix &m) {
  write_array(path, "<f4",
              "(" + std::to_string(m.rows) + ", " + std::to_string(m.cols) +
                  ")",
              m.data.data(), m.data.size() * sizeof(float));
}

void write_npy(const std::string &path, const std::vector<std::int32_t> &v) {
  write_array(path, "<i4", "(" + std::to_string(v.size()) + ",)", v.data(),
              v.size() * sizeof(std::int32_t));
}

} // namespace nebench
