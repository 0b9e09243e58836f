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

/// What the header declares.
struct NpyHeader {
  char kind = 0;     ///< 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  int item_size = 0; ///< bytes per value
  bool big_endian = false;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::int64_t data_offset = 0; ///< byte offset of the first value
  std::int64_t count = 1;       ///< number of values
};

/// Parser for the header's Python dict literal, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
public:
  HeaderParser(const std::string &path, const std::string &text,
               std::int64_t base)
      : path_(path), text_(text), base_(base) {}

  NpyHeader parse() {
    NpyHeader h;
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
  void descr(const std::string &d, NpyHeader &h) {
    // e.g. "<f4", "|u1", ">i8": byte order, kind, item size.
    if (d.size() < 3 ||
        (d[0] != '<' && d[0] != '>' && d[0] != '|' && d[0] != '='))
      fail("unsupported dtype '" + d + "'");
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

NpyHeader read_header(std::ifstream &in, const std::string &path) {
  char pre[10];
  in.read(pre, 10);
  if (in.gcount() < 10 || std::memcmp(pre, "\x93NUMPY", 6) != 0)
    throw DataError::at_offset(path, 0, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(pre[6]);
  std::int64_t header_len = 0, base = 10;
  if (major == 1) {
    header_len = static_cast<unsigned char>(pre[8]) |
                 (static_cast<unsigned char>(pre[9]) << 8);
  } else if (major == 2 || major == 3) {
    char more[2];
    in.read(more, 2);
    if (in.gcount() < 2)
      throw DataError::at_offset(path, 10, "file ends inside the preamble");
    header_len = std::int64_t(static_cast<unsigned char>(pre[8])) |
                 (std::int64_t(static_cast<unsigned char>(pre[9])) << 8) |
                 (std::int64_t(static_cast<unsigned char>(more[0])) << 16) |
                 (std::int64_t(static_cast<unsigned char>(more[1])) << 24);
    base = 12;
  } else {
    throw DataError::at_offset(
        path, 6, "unsupported .npy format version " + std::to_string(major));
  }
  std::string text(static_cast<std::size_t>(header_len), '\0');
  in.read(text.data(), header_len);
  if (in.gcount() < header_len)
    throw DataError::at_offset(path, base + in.gcount(),
                               "file ends inside the header (declared " +
                                   std::to_string(header_len) + " bytes)");
  NpyHeader h = HeaderParser(path, text, base).parse();
  h.data_offset = base + header_len;
  for (auto d : h.shape) {
    if (d != 0 && h.count > kMaxValues / d)
      throw DataError::at_offset(path, base,
                                 "shape declares more than 2^31 values");
    h.count *= d;
  }
  if (h.count > kMaxValues)
    throw DataError::at_offset(path, base,
                               "shape declares more than 2^31 values");
  if (h.shape.empty())
    throw DataError::at_offset(path, base,
                               "0-dimensional array (a scalar), expected "
                               "one row per point");
  if (h.fortran_order && h.shape.size() > 2)
    throw DataError::at_offset(path, base,
                               "Fortran-order arrays of more than 2 "
                               "dimensions are not supported");
  return h;
}

/// Reads all values as double (exact for every supported type but 64-bit
/// integers beyond 2^53, which no label or pixel reaches).
std::vector<double> read_values(const std::string &path, NpyHeader &h) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DataError(path, "file not found (or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path, "cannot open file for reading");
  h = read_header(in, path);
  const std::int64_t bytes = h.count * h.item_size;
  std::vector<unsigned char> raw(static_cast<std::size_t>(bytes));
  in.read(reinterpret_cast<char *>(raw.data()), bytes);
  if (in.gcount() < bytes)
    throw DataError::at_offset(
        path, h.data_offset + in.gcount(),
        "file ends after " + std::to_string(h.data_offset + in.gcount()) +
            " of " + std::to_string(h.data_offset + bytes) + " expected bytes");
  char extra;
  if (in.read(&extra, 1); in.gcount() != 0)
    throw DataError::at_offset(path, h.data_offset + bytes,
                               "unexpected trailing data after the " +
                                   std::to_string(h.data_offset + bytes) +
                                   " bytes declared by the header");
  const bool swap = h.big_endian != (std::endian::native == std::endian::big);
  std::vector<double> out(static_cast<std::size_t>(h.count));
  for (std::int64_t i = 0; i < h.count; ++i) {
    unsigned char b[8];
    std::memcpy(b, raw.data() + i * h.item_size, h.item_size);
    if (swap && h.item_size > 1)
      std::reverse(b, b + h.item_size);
    double v = 0;
    switch (h.kind) {
    case 'f':
      if (h.item_size == 4) {
        float f;
        std::memcpy(&f, b, 4);
        v = f;
      } else {
        std::memcpy(&v, b, 8);
      }
      break;
    case 'b':
      v = b[0] != 0;
      break;
    case 'u': {
      std::uint64_t u = 0;
      std::memcpy(&u, b, h.item_size); // little-endian host
      v = static_cast<double>(u);
      break;
    }
    case 'i': {
      std::int64_t s = 0;
      std::memcpy(&s, b, h.item_size);
      const int shift = 64 - 8 * h.item_size; // sign-extend
      s = shift ? (s << shift) >> shift : s;
      v = static_cast<double>(s);
      break;
    }
    }
    out[static_cast<std::size_t>(i)] = v;
  }
  return out;
}

} // namespace

Matrix read_npy_matrix(const std::string &path) {
  NpyHeader h;
  const std::vector<double> v = read_values(path, h);
  const std::int64_t n = h.shape[0];
  const std::int64_t d = n == 0 ? 0 : h.count / n;
  Matrix X(n, d);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < d; ++j) {
      // Fortran order stores column j of a 2-D array contiguously.
      const double x = h.fortran_order ? v[static_cast<std::size_t>(j * n + i)]
                                       : v[static_cast<std::size_t>(i * d + j)];
      if (!std::isfinite(x))
        throw DataError(path, "value at row " + std::to_string(i) +
                                  ", column " + std::to_string(j) +
                                  " is not finite");
      X(i, j) = static_cast<float>(x);
    }
  return X;
}

std::vector<std::int32_t> read_npy_labels(const std::string &path) {
  NpyHeader h;
  const std::vector<double> v = read_values(path, h);
  if (!(h.shape.size() == 1 || (h.shape.size() == 2 && h.shape[1] == 1)))
    throw DataError(path, "labels must be a 1-D array (or n x 1)");
  std::vector<std::int32_t> labels(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::floor(v[i]) != v[i] ||
        v[i] < std::numeric_limits<std::int32_t>::min() ||
        v[i] > std::numeric_limits<std::int32_t>::max())
      throw DataError(path, "label " + std::to_string(i) +
                                " is not an int32 integer");
    labels[i] = static_cast<std::int32_t>(v[i]);
  }
  return labels;
}

} // namespace nebench
