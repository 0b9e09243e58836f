#include "datasets/zip_archive.h"

#include "engine/core/errors.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace nebench {

namespace {

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kZip64EndSize = 56;
/// Deflate cannot compress by more than about 1032:1 (a run of one byte:
/// 258 bytes per 2-bit code at best), so a member claiming more is corrupt;
/// checking this first keeps a bad size field from allocating gigabytes.
constexpr std::uint64_t kMaxDeflateRatio = 1033;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

/// Little-endian field reader with bounds checks against the whole archive.
class Cursor {
public:
  Cursor(const std::string &path, const std::vector<unsigned char> &bytes)
      : path_(path), bytes_(bytes) {}

  /// `count` bytes at `offset` must lie in the file; `what` names them.
  void need(std::uint64_t offset, std::uint64_t count,
            const std::string &what) const {
    if (offset > bytes_.size() || count > bytes_.size() - offset)
      throw DataError::at_offset(
          path_, static_cast<std::int64_t>(offset),
          "archive ends inside " + what + " (needs " + std::to_string(count) +
              " bytes, " +
              std::to_string(bytes_.size() -
                             std::min<std::uint64_t>(offset, bytes_.size())) +
              " left); the file is truncated");
  }
  std::uint64_t le(std::uint64_t offset, int size) const {
    std::uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i)
      v = (v << 8) | bytes_[static_cast<std::size_t>(offset) + i];
    return v;
  }
  std::uint16_t u16(std::uint64_t offset) const {
    return static_cast<std::uint16_t>(le(offset, 2));
  }
  std::uint32_t u32(std::uint64_t offset) const {
    return static_cast<std::uint32_t>(le(offset, 4));
  }
  std::uint64_t u64(std::uint64_t offset) const { return le(offset, 8); }

private:
  const std::string &path_;
  const std::vector<unsigned char> &bytes_;
};

std::vector<unsigned char> read_whole_file(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DataError(path, "file not found (or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path, "cannot open file for reading");
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

} // namespace

ZipArchive::ZipArchive(const std::string &path)
    : path_(path), bytes_(read_whole_file(path)) {
  const Cursor at(path_, bytes_);
  const std::uint64_t size = bytes_.size();
  // The end-of-central-directory record is the last 22 bytes plus a comment
  // of up to 65535 bytes: search backwards for its signature (APPNOTE 4.3.16).
  if (size < kEndSize)
    throw DataError::at_offset(path_, 0,
                               "not a ZIP archive (" + std::to_string(size) +
                                   " bytes, shorter than the 22-byte end "
                                   "record)");
  std::uint64_t end = size - kEndSize;
  const std::uint64_t lowest =
      size - kEndSize > 65535 ? size - kEndSize - 65535 : 0;
  while (at.u32(end) != kEndSig || end + kEndSize + at.u16(end + 20) != size) {
    if (end == lowest) {
      const bool local = size >= 4 && at.u32(0) == kLocalHeaderSig;
      throw DataError::at_offset(
          path_, static_cast<std::int64_t>(size),
          std::string("no ZIP end-of-central-directory record found") +
              (local ? " (the archive looks truncated)"
                     : " (not a ZIP "
                       "archive)"));
    }
    --end;
  }
  if (at.u16(end + 4) != 0 || at.u16(end + 6) != 0)
    throw DataError::at_offset(path_, static_cast<std::int64_t>(end),
                               "multi-disk (split) ZIP archives are not "
                               "supported");
  std::uint64_t count = at.u16(end + 10);
  std::uint64_t dir_size = at.u32(end + 12);
  std::uint64_t dir_offset = at.u32(end + 16);
  // ZIP64 (APPNOTE 4.3.14-15): the 16/32-bit fields are saturated and the
  // real values are in the ZIP64 end record, found through its locator just
  // before the end record.
  if (count == 0xffff || dir_size == 0xffffffff || dir_offset == 0xffffffff) {
    if (end < kZip64LocatorSize ||
        at.u32(end - kZip64LocatorSize) != kZip64LocatorSig)
      throw DataError::at_offset(path_, static_cast<std::int64_t>(end),
                                 "the end record points to ZIP64 values but "
                                 "there is no ZIP64 locator before it");
    const std::uint64_t rec = at.u64(end - kZip64LocatorSize + 8);
    at.need(rec, kZip64EndSize, "the ZIP64 end record");
    if (at.u32(rec) != kZip64EndSig)
      throw DataError::at_offset(path_, static_cast<std::int64_t>(rec),
                                 "bad ZIP64 end record signature " +
                                     hex32(at.u32(rec)));
    count = at.u64(rec + 32);
    dir_size = at.u64(rec + 40);
    dir_offset = at.u64(rec + 48);
  }
  at.need(dir_offset, dir_size, "the central directory");
  // A central directory entry takes at least 46 bytes.
  if (count > dir_size / kCentralHeaderSize)
    throw DataError::at_offset(
        path_, static_cast<std::int64_t>(end),
        "the end record declares " + std::to_string(count) + " members in a " +
            std::to_string(dir_size) + "-byte central directory");
  std::uint64_t pos = dir_offset;
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto here = static_cast<std::int64_t>(pos);
    at.need(pos, kCentralHeaderSize, "a central directory entry");
    if (at.u32(pos) != kCentralHeaderSig)
      throw DataError::at_offset(path_, here,
                                 "bad central directory signature " +
                                     hex32(at.u32(pos)) + " (entry " +
                                     std::to_string(i) + ")");
    ZipEntry e;
    const std::uint16_t flags = at.u16(pos + 8);
    e.method = at.u16(pos + 10);
    e.crc32 = at.u32(pos + 16);
    e.compressed_size = at.u32(pos + 20);
    e.size = at.u32(pos + 24);
    const std::uint16_t name_len = at.u16(pos + 28);
    const std::uint16_t extra_len = at.u16(pos + 30);
    const std::uint16_t comment_len = at.u16(pos + 32);
    e.header_offset = at.u32(pos + 42);
    at.need(pos + kCentralHeaderSize,
            std::uint64_t(name_len) + extra_len + comment_len,
            "a central directory entry's name and extra fields");
    e.name.assign(reinterpret_cast<const char *>(bytes_.data() + pos +
                                                 kCentralHeaderSize),
                  name_len);
    // ZIP64 extended information (header id 1) holds, in this order, those
    // of size, compressed size and header offset that are saturated.
    std::uint64_t extra = pos + kCentralHeaderSize + name_len;
    const std::uint64_t extra_end = extra + extra_len;
    while (extra + 4 <= extra_end) {
      const std::uint16_t id = at.u16(extra), len = at.u16(extra + 2);
      if (extra + 4 + len > extra_end)
        throw DataError::at_offset(path_, static_cast<std::int64_t>(extra),
                                   "extra field of \"" + e.name +
                                       "\" runs past its entry");
      if (id == 0x0001) {
        std::uint64_t field = extra + 4;
        for (std::uint64_t *value :
             {&e.size, &e.compressed_size, &e.header_offset}) {
          if (*value != 0xffffffff)
            continue;
          if (field + 8 > extra + 4 + len)
            throw DataError::at_offset(path_, static_cast<std::int64_t>(extra),
                                       "ZIP64 extra field of \"" + e.name +
                                           "\" is too short");
          *value = at.u64(field);
          field += 8;
        }
      }
      extra += 4 + std::uint64_t(len);
    }
    if (flags & 0x1)
      throw DataError::at_offset(
          path_, here, "member \"" + e.name + "\" is encrypted; not supported");
    if (e.method != 0 && e.method != 8)
      throw DataError::at_offset(
          path_, here,
          "member \"" + e.name + "\" uses compression method " +
              std::to_string(e.method) +
              "; only stored (0) and deflate (8) are supported");
    entries_.push_back(std::move(e));
    pos = extra_end + comment_len;
  }
}

const ZipEntry *ZipArchive::find(const std::string &name) const {
  for (const auto &e : entries_)
    if (e.name == name)
      return &e;
  return nullptr;
}

std::vector<unsigned char> ZipArchive::extract(const ZipEntry &e) const {
  const Cursor at(path_, bytes_);
  const std::string member = "member \"" + e.name + "\"";
  at.need(e.header_offset, kLocalHeaderSize, "the local header of " + member);
  if (at.u32(e.header_offset) != kLocalHeaderSig)
    throw DataError::at_offset(
        path_, static_cast<std::int64_t>(e.header_offset),
        "bad local header signature " + hex32(at.u32(e.header_offset)) +
            " of " + member);
  // The local header's name and extra field may differ in length from the
  // central directory's (ZIP64 writers put sizes in both), so the data start
  // is computed from the local header itself.
  const std::uint64_t data = e.header_offset + kLocalHeaderSize +
                             at.u16(e.header_offset + 26) +
                             at.u16(e.header_offset + 28);
  at.need(data, e.compressed_size, "the data of " + member);
  const unsigned char *in = bytes_.data() + data;
  std::vector<unsigned char> out;
  if (e.method == 0) {
    if (e.compressed_size != e.size)
      throw DataError::at_offset(
          path_, static_cast<std::int64_t>(e.header_offset),
          member + " is stored uncompressed but its sizes differ (" +
              std::to_string(e.compressed_size) + " vs " +
              std::to_string(e.size) + ")");
    out.assign(in, in + e.size);
  } else {
    if (e.size > kMaxDeflateRatio * e.compressed_size + 64)
      throw DataError::at_offset(
          path_, static_cast<std::int64_t>(e.header_offset),
          member + " claims " + std::to_string(e.size) + " bytes from " +
              std::to_string(e.compressed_size) +
              " compressed ones, more than deflate can produce");
    out.resize(static_cast<std::size_t>(e.size));
    z_stream zs{};
    // Negative window bits: raw deflate data, no zlib/gzip wrapper (ZIP
    // members carry their own CRC in the headers).
    if (inflateInit2(&zs, -15) != Z_OK)
      throw DataError(path_, "zlib inflateInit2 failed");
    std::uint64_t consumed = 0, produced = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
      const auto in_chunk = static_cast<uInt>(
          std::min<std::uint64_t>(e.compressed_size - consumed, UINT_MAX));
      const auto out_chunk = static_cast<uInt>(
          std::min<std::uint64_t>(e.size - produced, UINT_MAX));
      zs.next_in = const_cast<unsigned char *>(in + consumed);
      zs.avail_in = in_chunk;
      zs.next_out = out.data() + produced;
      zs.avail_out = out_chunk;
      rc = inflate(&zs, Z_NO_FLUSH);
      consumed += in_chunk - zs.avail_in;
      produced += out_chunk - zs.avail_out;
      if (rc == Z_OK && in_chunk == zs.avail_in && out_chunk == zs.avail_out)
        rc = Z_BUF_ERROR; // no progress: input or output exhausted
    }
    const std::string zmsg = zs.msg ? zs.msg : "";
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
      std::string why;
      if (rc == Z_DATA_ERROR)
        why = "corrupt deflate data (" + zmsg + ")";
      else if (produced == e.size)
        why = "deflate data continue past the declared " +
              std::to_string(e.size) + " bytes";
      else
        why = "deflate data end after " + std::to_string(produced) + " of " +
              std::to_string(e.size) + " declared bytes";
      throw DataError::at_offset(path_,
                                 static_cast<std::int64_t>(data + consumed),
                                 member + ": " + why);
    }
    if (produced != e.size)
      throw DataError::at_offset(
          path_, static_cast<std::int64_t>(data + consumed),
          member + ": deflate data end after " + std::to_string(produced) +
              " of " + std::to_string(e.size) + " declared bytes");
  }
  std::uint64_t crc = ::crc32(0L, Z_NULL, 0);
  for (std::uint64_t done = 0; done < out.size();) {
    const auto chunk =
        static_cast<uInt>(std::min<std::uint64_t>(out.size() - done, 1u << 30));
    crc = ::crc32(crc, out.data() + done, chunk);
    done += chunk;
  }
  if (static_cast<std::uint32_t>(crc) != e.crc32)
    throw DataError::at_offset(path_, static_cast<std::int64_t>(data),
                               member + ": CRC-32 " +
                                   hex32(static_cast<std::uint32_t>(crc)) +
                                   " of the extracted data, the archive "
                                   "records " +
                                   hex32(e.crc32) + " (corrupt member)");
  return out;
}

} // namespace nebench
