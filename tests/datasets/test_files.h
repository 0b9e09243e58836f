#pragma once
// Helpers for the datasets tests: a private temporary folder per test and
// writers for the small files the loaders are tested on.

#include "engine/core/errors.h"

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nebench::testing {

/// The message of the DataError that `f` throws, or "(no DataError)".
inline std::string data_error(const std::function<void()> &f) {
  try {
    f();
  } catch (const DataError &e) {
    return e.what();
  }
  return "(no DataError)";
}

/// A fresh folder under the system temp dir, removed with its contents.
class TempDir {
public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "nebench-datasets-XXXXXX")
            .string();
    if (!mkdtemp(pattern.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const {
    return (std::filesystem::path(path_) / name).string();
  }

private:
  std::string path_;
};

using Bytes = std::vector<unsigned char>;

inline void write_file(const std::string &path, const Bytes &bytes) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

inline void write_text(const std::string &path, const std::string &text) {
  write_file(path, Bytes(text.begin(), text.end()));
}

inline void write_gzip(const std::string &path, const Bytes &bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f)
    throw std::runtime_error("gzopen failed");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

inline Bytes read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

inline void put_be32(Bytes &b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    b.push_back(static_cast<unsigned char>(v >> s));
}

/// IDX image file bytes: n images of h x w with the given pixels.
inline Bytes idx_images(std::uint32_t n, std::uint32_t h, std::uint32_t w,
                        const Bytes &pixels) {
  Bytes b;
  put_be32(b, 0x00000803);
  put_be32(b, n);
  put_be32(b, h);
  put_be32(b, w);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

/// IDX label file bytes.
inline Bytes idx_labels(const Bytes &labels) {
  Bytes b;
  put_be32(b, 0x00000801);
  put_be32(b, static_cast<std::uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

inline void put_le(Bytes &b, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    b.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

/// A .npy file (version 1.0) as numpy.save writes it, header padded to 64
/// bytes; `shape` is the Python tuple text, e.g. "(2, 3)" or "(4,)".
inline Bytes npy_bytes(const std::string &descr, const std::string &shape,
                       const Bytes &data) {
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  put_le(b, header.size(), 2);
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

/// Raw deflate (no zlib/gzip wrapper), as ZIP members store it.
inline Bytes raw_deflate(const Bytes &data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  Bytes out(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = const_cast<unsigned char *>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END)
    throw std::runtime_error("deflate failed");
  return out;
}

/// One member of a test ZIP archive.
struct ZipMember {
  std::string name;
  Bytes data;
  /// Deflate the data (method 8) instead of storing it (method 0).
  bool deflate = false;
  /// Write the sizes into a ZIP64 extra field of the local header, as
  /// numpy.savez does (zipfile.open(..., force_zip64=True)).
  bool zip64_local = false;
};

/// A minimal ZIP archive (local headers, central directory, end record).
inline Bytes zip_bytes(const std::vector<ZipMember> &members) {
  Bytes out, central;
  for (const auto &m : members) {
    const auto crc = static_cast<std::uint32_t>(crc32(
        crc32(0L, Z_NULL, 0), m.data.data(), static_cast<uInt>(m.data.size())));
    const Bytes stored = m.deflate ? raw_deflate(m.data) : m.data;
    const std::uint64_t offset = out.size();
    const auto header = [&](Bytes &b, bool central_entry) {
      put_le(b, central_entry ? 0x02014b50 : 0x04034b50, 4);
      if (central_entry)
        put_le(b, 20, 2); // version made by
      put_le(b, m.zip64_local && !central_entry ? 45 : 20, 2);
      put_le(b, 0, 2);                 // flags
      put_le(b, m.deflate ? 8 : 0, 2); // method
      put_le(b, 0, 2);                 // time
      put_le(b, 0x21, 2);              // date 1980-01-01
      put_le(b, crc, 4);
      const bool z64 = m.zip64_local && !central_entry;
      put_le(b, z64 ? 0xffffffff : stored.size(), 4);
      put_le(b, z64 ? 0xffffffff : m.data.size(), 4);
      put_le(b, m.name.size(), 2);
      put_le(b, z64 ? 20 : 0, 2); // extra length
      if (central_entry) {
        put_le(b, 0, 2); // comment length
        put_le(b, 0, 2); // disk
        put_le(b, 0, 2); // internal attributes
        put_le(b, 0, 4); // external attributes
        put_le(b, offset, 4);
      }
      b.insert(b.end(), m.name.begin(), m.name.end());
      if (z64) {
        put_le(b, 0x0001, 2);
        put_le(b, 16, 2);
        put_le(b, m.data.size(), 8);
        put_le(b, stored.size(), 8);
      }
    };
    header(out, false);
    out.insert(out.end(), stored.begin(), stored.end());
    header(central, true);
  }
  const std::uint64_t dir_offset = out.size();
  out.insert(out.end(), central.begin(), central.end());
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 2);
  put_le(out, 0, 2);
  put_le(out, members.size(), 2);
  put_le(out, members.size(), 2);
  put_le(out, central.size(), 4);
  put_le(out, dir_offset, 4);
  put_le(out, 0, 2); // comment length
  return out;
}

} // namespace nebench::testing
