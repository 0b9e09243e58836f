#include "datasets/idx_loader.h"

#include "engine/core/errors.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace nebench {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803; // ubyte, 3 dims
constexpr std::uint32_t kLabelsMagic = 0x00000801; // ubyte, 1 dim
/// Largest number of values accepted: a corrupt header must not make us try to
/// allocate terabytes (2^31 bytes is ~30x the MNIST training set).
constexpr unsigned __int128 kMaxValues = static_cast<unsigned __int128>(1)
                                         << 31;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

/// Sequential reader over a gzipped or raw file that tracks the offset in the
/// uncompressed stream for error messages.
class IdxStream {
public:
  explicit IdxStream(const std::string &path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw DataError(path, "file not found (or not a regular file)");
    file_ = gzopen(path.c_str(), "rb");
    if (!file_)
      throw DataError(path, "cannot open file for reading");
    gzbuffer(file_, 1 << 18);
  }
  ~IdxStream() {
    if (file_)
      gzclose(file_);
  }
  IdxStream(const IdxStream &) = delete;
  IdxStream &operator=(const IdxStream &) = delete;

  std::int64_t offset() const { return offset_; }

  /// Reads up to `size` bytes; fewer only at the end of the data.
  std::size_t read_some(void *buffer, std::size_t size) {
    auto *out = static_cast<unsigned char *>(buffer);
    std::size_t done = 0;
    while (done < size) {
      const auto chunk =
          static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
      const int got = gzread(file_, out + done, chunk);
      if (got < 0) {
        int errnum = 0;
        std::string msg = gzerror(file_, &errnum);
        // zlib prefixes the message with the path, which we print already.
        if (msg.rfind(path_ + ": ", 0) == 0)
          msg = msg.substr(path_.size() + 2);
        throw DataError::at_offset(path_, offset_ + done,
                                   "corrupt compressed data (" + msg + ")");
      }
      if (got == 0)
        break;
      done += static_cast<std::size_t>(got);
    }
    offset_ += static_cast<std::int64_t>(done);
    return done;
  }

  /// Reads exactly `size` bytes; `expected_total` is the file length implied
  /// by the header, for the message.
  void read_exact(void *buffer, std::size_t size, std::int64_t expected_total,
                  const std::string &what) {
    if (read_some(buffer, size) == size)
      return;
    int errnum = Z_OK;
    gzerror(file_, &errnum);
    const std::string why =
        errnum == Z_BUF_ERROR ? " (the compressed stream is cut off)" : "";
    throw DataError::at_offset(path_, offset_,
                               "file ends after " + std::to_string(offset_) +
                                   " of " + std::to_string(expected_total) +
                                   " expected bytes, while reading " + what +
                                   why);
  }

  /// Reads exactly `count` bytes into a new vector that grows in chunks as
  /// the data arrives, so that a header declaring 2^31 values in a short
  /// file fails at its end instead of allocating for the declared size first
  /// (fuzz/idx_fuzzer found 1 GB allocations from a 35-byte file).
  std::vector<unsigned char> read_array(std::int64_t count,
                                        std::int64_t expected_total,
                                        const std::string &what) {
    constexpr std::int64_t kChunk = std::int64_t(1) << 24;
    std::vector<unsigned char> out;
    while (static_cast<std::int64_t>(out.size()) < count) {
      const std::size_t done = out.size();
      const auto part = static_cast<std::size_t>(
          std::min<std::int64_t>(kChunk, count - std::int64_t(done)));
      out.resize(done + part);
      read_exact(out.data() + done, part, expected_total, what);
    }
    return out;
  }

  /// Errors if anything follows the declared data.
  void expect_end(const std::string &declared) {
    unsigned char extra = 0;
    const std::int64_t end = offset_;
    if (read_some(&extra, 1) != 0)
      throw DataError::at_offset(
          path_, end,
          "unexpected trailing data after the " + std::to_string(end) +
              " bytes declared by the header (" + declared + ")");
    // All data arrived but the gzip trailer (CRC and length) is cut off:
    // the file is damaged even if the values look complete.
    int errnum = Z_OK;
    gzerror(file_, &errnum);
    if (errnum == Z_BUF_ERROR)
      throw DataError::at_offset(path_, end,
                                 "the compressed stream is cut off (gzip "
                                 "trailer missing)");
  }

private:
  std::string path_;
  gzFile file_ = nullptr;
  std::int64_t offset_ = 0;
};

std::uint32_t big_endian32(const unsigned char *p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
         (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

/// Reads and checks the magic number and the dimensions.
std::vector<std::int64_t> read_header(IdxStream &in, const std::string &path,
                                      std::uint32_t expected_magic,
                                      const std::string &kind) {
  const int ndims = static_cast<int>(expected_magic & 0xff);
  unsigned char magic_bytes[4];
  in.read_exact(magic_bytes, 4, 4 + 4 * ndims, "the magic number");
  const std::uint32_t magic = big_endian32(magic_bytes);
  if (magic != expected_magic) {
    std::string hint;
    if (magic == kImagesMagic)
      hint = "; this is an IDX image file";
    else if (magic == kLabelsMagic)
      hint = "; this is an IDX label file";
    else if ((magic >> 16) != 0)
      hint = "; not an IDX file";
    throw DataError::at_offset(path, 0,
                               "bad magic number " + hex32(magic) +
                                   " (expected " + hex32(expected_magic) +
                                   " for IDX " + kind + ": unsigned bytes, " +
                                   std::to_string(ndims) + " dimension" +
                                   (ndims == 1 ? "" : "s") + ")" + hint);
  }
  std::vector<std::int64_t> dims(static_cast<std::size_t>(ndims));
  unsigned __int128 values = 1;
  for (int i = 0; i < ndims; ++i) {
    unsigned char b[4];
    in.read_exact(b, 4, 4 + 4 * ndims, "the dimensions");
    const std::uint32_t dim = big_endian32(b);
    // Sizes are signed 32-bit in the IDX definition.
    if (dim == 0 || dim > static_cast<std::uint32_t>(INT32_MAX))
      throw DataError::at_offset(path, 4 + 4 * i,
                                 "dimension " + std::to_string(i) + " is " +
                                     std::to_string(dim) +
                                     ", expected 1 .. 2^31-1");
    dims[static_cast<std::size_t>(i)] = dim;
    values *= dim;
  }
  if (values > kMaxValues) {
    std::string shape;
    for (auto d : dims)
      shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    throw DataError::at_offset(path, 4,
                               "header declares " + shape +
                                   " values, more than the 2^31 accepted "
                                   "(corrupt header?)");
  }
  return dims;
}

} // namespace

Matrix read_idx_images(const std::string &path, ImageShape *shape) {
  IdxStream in(path);
  const auto dims = read_header(in, path, kImagesMagic, "images");
  const std::int64_t n = dims[0], height = dims[1], width = dims[2];
  const std::int64_t d = height * width;
  const std::int64_t total = 16 + n * d;
  const std::vector<unsigned char> pixels =
      in.read_array(n * d, total,
                    "the pixels of " + std::to_string(n) + " images of " +
                        std::to_string(height) + "x" + std::to_string(width));
  in.expect_end(std::to_string(n) + " images of " + std::to_string(height) +
                "x" + std::to_string(width));
  Matrix X(n, d);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    X.data[i] = static_cast<float>(pixels[i]);
  if (shape)
    *shape = ImageShape{1, static_cast<int>(height), static_cast<int>(width)};
  return X;
}

std::vector<std::int32_t> read_idx_labels(const std::string &path) {
  IdxStream in(path);
  const auto dims = read_header(in, path, kLabelsMagic, "labels");
  const std::int64_t n = dims[0];
  const std::vector<unsigned char> bytes =
      in.read_array(n, 8 + n, std::to_string(n) + " labels");
  in.expect_end(std::to_string(n) + " labels");
  return std::vector<std::int32_t>(bytes.begin(), bytes.end());
}

} // namespace nebench
