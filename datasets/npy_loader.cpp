#include "datasets/npy_loader.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace nebench {

namespace {

constexpr std::int64_t kMaxValues = std::int64_t(1) << 31;

/// Parser for the header's Python dict literal, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
public:
  HeaderParser(const std::string &path, const std::string &text,
               std::int64_t base)
      : path_(path), text_(text), base_(base) {}

  NpyArray parse() {
    NpyArray h;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      const std::size_t key_pos = pos_;
      const std::string key = quoted();
      expect(':');
      skip_ws();
      if (key == "descr") {
        descr(quoted(), h);
        have_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        have_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        have_shape = true;
      } else {
        pos_ = key_pos;
        fail("unknown header key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_ws();
      if (peek() != '}')
        fail("expected ',' or '}' in the header");
    }
    if (!have_descr || !have_order || !have_shape)
      fail("header lacks one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

private:
  [[noreturn]] void fail(const std::string &message) const {
    throw DataError::at_offset(path_, base_ + static_cast<std::int64_t>(pos_),
                               message);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t'))
      ++pos_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c)
      fail(std::string("expected '") + c + "' in the header");
    ++pos_;
  }
  std::string quoted() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"')
      fail("expected a quoted string in the header");
    const std::size_t end = text_.find(q, pos_ + 1);
    if (end == std::string::npos)
      fail("unterminated string in the header");
    std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    if (text_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (text_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<std::int64_t> tuple() {
    expect('(');
    std::vector<std::int64_t> dims;
    while (true) {
      skip_ws();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
      if (!(peek() >= '0' && peek() <= '9'))
        fail("expected a dimension (non-negative integer) in 'shape'");
      std::int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        v = v * 10 + (peek() - '0');
        if (v > (std::int64_t(1) << 40))
          fail("dimension too large");
        ++pos_;
      }
      dims.push_back(v);
      skip_ws();
      if (peek() == ',')
        ++pos_;
      else if (peek() != ')')
        fail("expected ',' or ')' in 'shape'");
    }
  }
  void descr(const std::string &d, NpyArray &h) {
    // e.g. "<f4", "|u1", ">i8": byte order, kind, item size.
    if (d.size() < 3 ||
        (d[0] != '<' && d[0] != '>' && d[0] != '|' && d[0] != '='))
      fail("unsupported dtype '" + d + "'");
    h.descr = d;
    h.big_endian = d[0] == '>';
    h.kind = d[1];
    const std::string size = d.substr(2);
    h.item_size = size == "1"   ? 1
                  : size == "2" ? 2
                  : size == "4" ? 4
                  : size == "8" ? 8
                                : 0;
    const bool ok = ((h.kind == 'i' || h.kind == 'u') && h.item_size != 0) ||
                    (h.kind == 'f' && (h.item_size == 4 || h.item_size == 8)) ||
                    (h.kind == 'b' && h.item_size == 1);
    if (!ok)
      fail("unsupported dtype '" + d +
           "' (numeric arrays only: int, uint, float32/64, bool)");
  }

  const std::string &path_;
  const std::string &text_;
  std::int64_t base_;
  std::size_t pos_ = 0;
};

std::uint64_t little_endian(const unsigned char *p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

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

double NpyArray::value(std::int64_t i) const {
  // Assembled byte by byte, so the host's byte order does not matter.
  const unsigned char *p = data + i * item_size;
  std::uint64_t bits = 0;
  if (big_endian)
    for (int k = 0; k < item_size; ++k)
      bits = (bits << 8) | p[k];
  else
    bits = little_endian(p, item_size);
  switch (kind) {
  case 'f':
    if (item_size == 4)
      return std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    return std::bit_cast<double>(bits);
  case 'b':
    return bits != 0;
  case 'u':
    return static_cast<double>(bits);
  default: { // 'i': sign-extend from item_size bytes
    const int shift = 64 - 8 * item_size;
    const auto s = static_cast<std::int64_t>(bits << shift) >> shift;
    return static_cast<double>(s);
  }
  }
}

NpyArray parse_npy(const std::string &name, const unsigned char *bytes,
                   std::size_t size) {
  const auto total = static_cast<std::int64_t>(size);
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0)
    throw DataError::at_offset(name, 0, "not a .npy file (bad magic)");
  const int major = bytes[6];
  std::int64_t header_len = 0, base = 10;
  if (major == 1) {
    header_len = static_cast<std::int64_t>(little_endian(bytes + 8, 2));
  } else if (major == 2 || major == 3) {
    if (size < 12)
      throw DataError::at_offset(name, total, "file ends inside the preamble");
    header_len = static_cast<std::int64_t>(little_endian(bytes + 8, 4));
    base = 12;
  } else {
    throw DataError::at_offset(
        name, 6, "unsupported .npy format version " + std::to_string(major));
  }
  if (total - base < header_len)
    throw DataError::at_offset(name, total,
                               "file ends inside the header (declared " +
                                   std::to_string(header_len) + " bytes)");
  const std::string text(reinterpret_cast<const char *>(bytes + base),
                         static_cast<std::size_t>(header_len));
  NpyArray h = HeaderParser(name, text, base).parse();
  const std::int64_t data_offset = base + header_len;
  for (auto d : h.shape) {
    if (d != 0 && h.count > kMaxValues / d)
      throw DataError::at_offset(name, base,
                                 "shape declares more than 2^31 values");
    h.count *= d;
  }
  if (h.count > kMaxValues)
    throw DataError::at_offset(name, base,
                               "shape declares more than 2^31 values");
  if (h.shape.empty())
    throw DataError::at_offset(name, base,
                               "0-dimensional array (a scalar), expected "
                               "one row per point");
  if (h.fortran_order && h.shape.size() > 2)
    throw DataError::at_offset(name, base,
                               "Fortran-order arrays of more than 2 "
                               "dimensions are not supported");
  const std::int64_t end = data_offset + h.count * h.item_size;
  if (total < end)
    throw DataError::at_offset(name, total,
                               "file ends after " + std::to_string(total) +
                                   " of " + std::to_string(end) +
                                   " expected bytes");
  if (total > end)
    throw DataError::at_offset(name, end,
                               "unexpected trailing data after the " +
                                   std::to_string(end) +
                                   " bytes declared by the header");
  h.data = bytes + data_offset;
  return h;
}

Matrix npy_matrix(const std::string &name, const NpyArray &a) {
  const std::int64_t n = a.shape[0];
  const std::int64_t d = n == 0 ? 0 : a.count / n;
  Matrix X(n, d);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < d; ++j) {
      // Fortran order stores column j of a 2-D array contiguously.
      const double x = a.value(a.fortran_order ? j * n + i : i * d + j);
      if (!std::isfinite(x))
        throw DataError(name, "value at row " + std::to_string(i) +
                                  ", column " + std::to_string(j) +
                                  " is not finite");
      X(i, j) = static_cast<float>(x);
    }
  return X;
}

std::vector<std::int32_t> npy_labels(const std::string &name,
                                     const NpyArray &a) {
  if (!(a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1)))
    throw DataError(name, "labels must be a 1-D array (or n x 1), got shape " +
                              a.shape_string());
  std::vector<std::int32_t> labels(static_cast<std::size_t>(a.count));
  for (std::int64_t i = 0; i < a.count; ++i) {
    const double v = a.value(i);
    if (std::floor(v) != v || v < std::numeric_limits<std::int32_t>::min() ||
        v > std::numeric_limits<std::int32_t>::max())
      throw DataError(name, "label " + std::to_string(i) +
                                " is not an int32 integer");
    labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(v);
  }
  return labels;
}

std::string NpyArray::shape_string() const {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Matrix read_npy_matrix(const std::string &path) {
  const std::vector<unsigned char> bytes = read_whole_file(path);
  return npy_matrix(path, parse_npy(path, bytes.data(), bytes.size()));
}

std::vector<std::int32_t> read_npy_labels(const std::string &path) {
  const std::vector<unsigned char> bytes = read_whole_file(path);
  return npy_labels(path, parse_npy(path, bytes.data(), bytes.size()));
}

} // namespace nebench
