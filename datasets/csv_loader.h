#pragma once
// CSV matrices and label files, the plainest way to bring one's own data.
//
// Data: one point per line, values separated by commas, every line with the
// same number of values; spaces and tabs around a value are ignored, CRLF
// line ends and a UTF-8 byte-order mark are accepted, and blank lines at the
// end are skipped. The first line is a header (column names, skipped) when
// none of its cells is a number; a first line mixing names and numbers is
// an error, so that a typo in the first data row is not silently dropped.
// A cell in double quotes is text (a header name may hold commas that way).
//
// Labels: one label per line, no header. When every label is a
// non-negative int32 integer the labels are used as they are; otherwise
// they are names, numbered in sorted order of the distinct names, which
// become the class names.
//
// Errors are DataErrors naming the file, the line and column (1-based; the
// column counts values, not characters) and the byte offset (0-based) of the
// cell: "x.csv: line 3, column 2 (byte 17): ...".
//
// The parsers work on bytes in memory (the fuzz target feeds them); memory
// stays within a small multiple of the file size.

#include "engine/core/matrix.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// Labels read from a label file.
struct CsvLabels {
  /// One class id per line.
  std::vector<std::int32_t> labels;
  /// The names of the classes (index = class id) when the labels were
  /// names; empty when they were integers.
  std::vector<std::string> class_names;
};

/// Parses the `size` bytes of a CSV data file; `name` goes into every
/// DataError. Refuses an empty file, a file with no data rows, rows of
/// differing lengths, non-numeric, empty, NaN/Inf and out-of-float-range
/// cells, and more than 2^31 values.
Matrix parse_csv_matrix(const std::string &name, const char *bytes,
                        std::size_t size);

/// Parses the `size` bytes of a label file (see the top of this header).
/// When `expected_rows` >= 0, a label count other than that is an error
/// naming the first extra label's line (or the line after the last label)
/// and `data_name`, the data file the labels belong to.
CsvLabels parse_csv_labels(const std::string &name, const char *bytes,
                           std::size_t size, std::int64_t expected_rows = -1,
                           const std::string &data_name = "");

/// Reads a CSV data file (parse_csv_matrix).
Matrix read_csv_matrix(const std::string &path);

/// Reads a label file (parse_csv_labels).
CsvLabels read_csv_labels(const std::string &path,
                          std::int64_t expected_rows = -1,
                          const std::string &data_name = "");

} // namespace nebench
