#pragma once
// A small reader for ZIP archives (PKWARE APPNOTE 6.3, secs. 4.3-4.5), enough
// for NumPy .npz files: the central directory (with ZIP64 sizes and offsets),
// local file headers, and members that are stored (method 0) or deflated
// (method 8, raw deflate inflated by zlib). Encrypted members, other
// compression methods and multi-disk archives are refused. Every member is
// checked against its CRC-32 when extracted.
//
// Errors are DataErrors naming the archive and the byte offset in it where
// the structure is wrong.

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// One member of the archive, as its central directory records it.
struct ZipEntry {
  /// File name inside the archive ("train_images.npy").
  std::string name;
  /// 0 = stored, 8 = deflated.
  std::uint16_t method = 0;
  /// CRC-32 of the uncompressed bytes.
  std::uint32_t crc32 = 0;
  /// Bytes of the member's data in the archive.
  std::uint64_t compressed_size = 0;
  /// Bytes after extraction.
  std::uint64_t size = 0;
  /// Byte offset of the member's local file header in the archive.
  std::uint64_t header_offset = 0;
};

class ZipArchive {
public:
  /// Reads the archive into memory and parses its central directory.
  explicit ZipArchive(const std::string &path);

  const std::string &path() const { return path_; }
  const std::vector<ZipEntry> &entries() const { return entries_; }
  /// The member called `name`, or null.
  const ZipEntry *find(const std::string &name) const;
  /// The member's uncompressed bytes (DataError on corrupt data or a CRC-32
  /// mismatch).
  std::vector<unsigned char> extract(const ZipEntry &entry) const;

private:
  std::string path_;
  std::vector<unsigned char> bytes_;
  std::vector<ZipEntry> entries_;
};

} // namespace nebench
