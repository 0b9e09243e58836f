#include "datasets/csv_loader.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>

namespace nebench {

namespace {

// The other loaders' limit (datasets/npy_loader.cpp, dataset_cache.cpp).
constexpr std::int64_t kMaxValues = std::int64_t(1) << 31;

/// Where a cell starts, for messages.
struct Location {
  std::int64_t line = 1;   ///< 1-based
  std::int64_t column = 1; ///< 1-based, in values
  std::size_t byte = 0;    ///< 0-based offset into the file
};

[[noreturn]] void fail(const std::string &name, const Location &at,
                       const std::string &message) {
  throw DataError(name, "line " + std::to_string(at.line) + ", column " +
                            std::to_string(at.column) + " (byte " +
                            std::to_string(at.byte) + "): " + message);
}

/// A cell's text for a message: quoted, at most 40 bytes, control and
/// non-ASCII bytes escaped (the file may be binary garbage).
std::string shown(const char *begin, const char *end) {
  std::string out = "\"";
  const std::size_t n = static_cast<std::size_t>(end - begin);
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 40); ++i) {
    const auto c = static_cast<unsigned char>(begin[i]);
    if (c >= 32 && c < 127 && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + (n > 40 ? "...\"" : "\"");
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

/// One line of the file, without its "\n" or "\r\n".
struct Line {
  const char *begin = nullptr;
  const char *end = nullptr;
  std::int64_t number = 0; ///< 1-based
  std::size_t offset = 0;  ///< of its first byte

  bool blank() const {
    return std::all_of(begin, end, [](char c) { return is_space(c); });
  }
};

/// The lines of a file, one at a time (nothing is stored per line, so
/// that a file of a billion newlines costs no memory). A UTF-8 byte-order
/// mark (Excel writes one) is skipped.
class LineReader {
public:
  LineReader(const char *bytes, std::size_t size) : bytes_(bytes), size_(size) {
    if (size >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
        static_cast<unsigned char>(bytes[1]) == 0xBB &&
        static_cast<unsigned char>(bytes[2]) == 0xBF)
      pos_ = 3;
  }

  bool next(Line &line) {
    if (pos_ >= size_)
      return false;
    const char *start = bytes_ + pos_;
    const void *nl = std::memchr(start, '\n', size_ - pos_);
    const char *stop = nl ? static_cast<const char *>(nl) : bytes_ + size_;
    line = Line{start, stop, number_++, pos_};
    if (line.end > line.begin && line.end[-1] == '\r')
      --line.end;
    pos_ = static_cast<std::size_t>(stop - bytes_) + 1;
    return true;
  }

private:
  const char *bytes_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::int64_t number_ = 1;
};

/// One comma-separated cell: its text without surrounding blanks (and
/// without the quotes of a quoted cell).
struct Cell {
  const char *begin = nullptr;
  const char *end = nullptr;
  bool quoted = false;
  Location at;
};

/// The cells of a line, one at a time. A cell that starts with a double
/// quote runs to the closing quote ("" inside it is a quote), so names may
/// hold commas.
class CellReader {
public:
  CellReader(const std::string &name, const Line &line, const char *file)
      : name_(name), line_(line), file_(file), p_(line.begin) {}

  bool next(Cell &cell) {
    if (done_)
      return false;
    const char *p = p_;
    const char *const end = line_.end;
    cell = Cell{};
    while (p < end && is_space(*p))
      ++p;
    cell.at =
        Location{line_.number, ++count_, static_cast<std::size_t>(p - file_)};
    if (p < end && *p == '"') {
      cell.quoted = true;
      cell.begin = ++p;
      while (true) {
        if (p >= end)
          fail(name_, cell.at, "unterminated quoted cell");
        if (*p == '"' && p + 1 < end && p[1] == '"') {
          p += 2;
          continue;
        }
        if (*p == '"')
          break;
        ++p;
      }
      cell.end = p++;
      while (p < end && is_space(*p))
        ++p;
      if (p < end && *p != ',')
        fail(name_, cell.at, "text after the closing quote of a quoted cell");
    } else {
      cell.begin = p;
      while (p < end && *p != ',')
        ++p;
      cell.end = p;
      while (cell.end > cell.begin && is_space(cell.end[-1]))
        --cell.end;
    }
    if (p >= end)
      done_ = true;
    else
      p_ = p + 1; // past the comma
    return true;
  }

  /// Cells returned so far.
  std::int64_t count() const { return count_; }

private:
  const std::string &name_;
  const Line &line_;
  const char *file_;
  const char *p_;
  std::int64_t count_ = 0;
  bool done_ = false;
};

enum class Number { kOk, kNotANumber, kNotFinite, kOutOfRange };

/// Parses a whole cell as a float32 value.
Number parse_number(const Cell &cell, float &out) {
  if (cell.quoted || cell.begin == cell.end)
    return Number::kNotANumber;
  const char *p = cell.begin;
  if (*p == '+' && cell.end - p > 1 && p[1] != '-' && p[1] != '+')
    ++p; // from_chars takes no '+'
  double v = 0;
  const auto [ptr, ec] = std::from_chars(p, cell.end, v);
  if (ptr != cell.end)
    return Number::kNotANumber;
  if (ec == std::errc::result_out_of_range) {
    // Overflow, or an underflow that strtod rounds to (almost) zero.
    const std::string text(p, cell.end);
    errno = 0;
    v = std::strtod(text.c_str(), nullptr);
    if (std::isinf(v))
      return Number::kOutOfRange;
  } else if (ec != std::errc()) {
    return Number::kNotANumber;
  }
  if (!std::isfinite(v))
    return Number::kNotFinite;
  if (std::fabs(v) > std::numeric_limits<float>::max())
    return Number::kOutOfRange;
  out = static_cast<float>(v);
  return Number::kOk;
}

std::vector<char> read_whole_file(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DataError(path, "file not found (or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  const auto size = std::filesystem::file_size(path, ec);
  if (!in || ec)
    throw DataError(path, "cannot open file for reading");
  std::vector<char> bytes(static_cast<std::size_t>(size));
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw DataError::at_offset(path, static_cast<std::int64_t>(in.gcount()),
                               "cannot read the whole file");
  return bytes;
}

} // namespace

Matrix parse_csv_matrix(const std::string &name, const char *bytes,
                        std::size_t size) {
  LineReader reader(bytes, size);
  Line line;
  // A blank line is an error unless only blank lines follow it.
  std::optional<Line> blank;
  bool first = true, header = false;
  std::int64_t cols = 0, cols_line = 0, rows = 0, header_line = 0;
  std::vector<float> values;
  while (reader.next(line)) {
    if (line.blank()) {
      if (!blank)
        blank = line;
      continue;
    }
    if (blank)
      fail(name, Location{blank->number, 1, blank->offset},
           "blank line inside the data (one point per line)");
    if (first) {
      first = false;
      // A header holds names only; a first line mixing names and numbers
      // is a data row with a bad cell (reported below).
      CellReader cells(name, line, bytes);
      Cell cell;
      float v = 0;
      header = true;
      while (header && cells.next(cell))
        if (parse_number(cell, v) != Number::kNotANumber)
          header = false;
      if (header) {
        cols = cells.count();
        cols_line = header_line = line.number;
        continue;
      }
    }
    const auto expected = [&] {
      return "line " + std::to_string(cols_line) +
             (header && cols_line == header_line ? " (the header)" : "") +
             " has " + std::to_string(cols);
    };
    CellReader cells(name, line, bytes);
    Cell cell;
    while (cells.next(cell)) {
      if (cols > 0 && cells.count() > cols) {
        const Location at = cell.at; // the first value too many
        while (cells.next(cell))
          ;
        fail(name, at,
             "ragged rows: this line has " + std::to_string(cells.count()) +
                 " values, " + expected());
      }
      if (static_cast<std::int64_t>(values.size()) >= kMaxValues)
        fail(name, cell.at, "more than 2^31 values");
      float v = 0;
      switch (parse_number(cell, v)) {
      case Number::kOk:
        values.push_back(v);
        break;
      case Number::kNotFinite:
        fail(name, cell.at,
             "value " + shown(cell.begin, cell.end) +
                 " is not finite (NaN and Inf are refused)");
      case Number::kOutOfRange:
        fail(name, cell.at,
             "value " + shown(cell.begin, cell.end) +
                 " is outside the float32 range");
      case Number::kNotANumber:
        fail(name, cell.at,
             (cell.begin == cell.end && !cell.quoted
                  ? std::string("empty cell")
                  : shown(cell.begin, cell.end) + " is not a number") +
                 (line.number == 1 && rows == 0
                      ? " (a header line must hold names only)"
                      : ""));
      }
    }
    if (cols == 0) {
      cols = cells.count();
      cols_line = line.number;
    } else if (cells.count() < cols) {
      fail(name,
           Location{line.number, cells.count() + 1,
                    static_cast<std::size_t>(line.end - bytes)},
           "ragged rows: this line has " + std::to_string(cells.count()) +
               " values, " + expected());
    }
    ++rows;
  }
  if (first)
    fail(name, Location{1, 1, 0}, "empty file (expected one point per line)");
  if (rows == 0)
    fail(name, Location{header_line + 1, 1, size},
         "no data rows (only a header line)");
  Matrix X; // not Matrix(rows, cols): that would hold the values twice
  X.rows = rows;
  X.cols = cols;
  X.data = std::move(values);
  return X;
}

namespace {

/// A label's text: the line without surrounding blanks and quotes.
std::string_view label_text(const Line &line, const char *&begin) {
  const char *b = line.begin, *e = line.end;
  while (b < e && is_space(*b))
    ++b;
  while (e > b && is_space(e[-1]))
    --e;
  begin = b;
  if (e - b >= 2 && *b == '"' && e[-1] == '"') {
    ++b;
    --e;
  }
  return std::string_view(b, static_cast<std::size_t>(e - b));
}

/// A non-negative int32 label ("+3" too), or -1.
std::int32_t integer_label(std::string_view t) {
  if (!t.empty() && t[0] == '+')
    t.remove_prefix(1);
  if (t.empty() || t[0] == '-' || t[0] == '+')
    return -1;
  std::int32_t v = -1;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && ptr == t.data() + t.size() ? v : -1;
}

} // namespace

CsvLabels parse_csv_labels(const std::string &name, const char *bytes,
                           std::size_t size, std::int64_t expected_rows,
                           const std::string &data_name) {
  // Pass 1: check every line, count the labels and see whether they are
  // all integers; nothing is stored per label yet.
  std::int64_t count = 0, last_line = 0;
  bool integers = true;
  std::optional<Line> blank, extra;
  {
    LineReader reader(bytes, size);
    Line line;
    while (reader.next(line)) {
      if (line.blank()) {
        if (!blank)
          blank = line;
        continue;
      }
      if (blank)
        fail(name, Location{blank->number, 1, blank->offset},
             "blank line among the labels (one label per line)");
      const char *begin = nullptr;
      const std::string_view t = label_text(line, begin);
      if (t.empty())
        fail(name,
             Location{line.number, 1, static_cast<std::size_t>(begin - bytes)},
             "empty label");
      if (count == expected_rows)
        extra = line;
      ++count;
      last_line = line.number;
      integers = integers && integer_label(t) >= 0;
    }
  }
  if (count == 0)
    fail(name, Location{1, 1, 0}, "empty file (expected one label per line)");
  if (expected_rows >= 0 && count != expected_rows) {
    const std::string rows =
        (data_name.empty() ? std::string("the data") : data_name) + " has " +
        std::to_string(expected_rows) + " rows";
    if (extra)
      fail(name, Location{extra->number, 1, extra->offset},
           "label " + std::to_string(expected_rows + 1) + " of " +
               std::to_string(count) + ", but " + rows +
               " (a header line counts as a label)");
    fail(name, Location{last_line + 1, 1, size},
         "the file ends after " + std::to_string(count) + " labels, but " +
             rows);
  }

  // Pass 2: the labels (and, for names, the sorted distinct names).
  const auto each_label = [&](const auto &f) {
    LineReader reader(bytes, size);
    Line line;
    const char *begin = nullptr;
    while (reader.next(line))
      if (!line.blank())
        f(label_text(line, begin));
  };
  CsvLabels out;
  out.labels.reserve(static_cast<std::size_t>(count));
  if (integers) {
    each_label(
        [&](std::string_view t) { out.labels.push_back(integer_label(t)); });
    return out;
  }
  // Names: class ids in sorted order of the distinct names.
  std::vector<std::string_view> names;
  names.reserve(static_cast<std::size_t>(count));
  each_label([&](std::string_view t) { names.push_back(t); });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto &n : names)
    out.class_names.emplace_back(n);
  each_label([&](std::string_view t) {
    out.labels.push_back(static_cast<std::int32_t>(
        std::lower_bound(names.begin(), names.end(), t) - names.begin()));
  });
  return out;
}

Matrix read_csv_matrix(const std::string &path) {
  const std::vector<char> bytes = read_whole_file(path);
  return parse_csv_matrix(path, bytes.data(), bytes.size());
}

CsvLabels read_csv_labels(const std::string &path, std::int64_t expected_rows,
                          const std::string &data_name) {
  const std::vector<char> bytes = read_whole_file(path);
  return parse_csv_labels(path, bytes.data(), bytes.size(), expected_rows,
                          data_name);
}

} // namespace nebench
