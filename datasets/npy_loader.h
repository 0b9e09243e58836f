#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0; numpy.org/neps/
// nep-0001-npy-format): the magic "\x93NUMPY", a version, a header length and
// a Python dict literal {'descr': dtype, 'fortran_order': bool, 'shape': (..)}
// followed by the raw values. Integer and floating dtypes of either byte
// order are read; object, string and complex arrays are refused.
//
// The parser works on bytes in memory, so that the members of a .npz archive
// (datasets/zip_archive.h) are read by the same code as .npy files.

#include "engine/core/matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// A parsed .npy array. Its values stay in the caller's buffer (`data`), which
/// must outlive it.
struct NpyArray {
  /// The dtype as written, e.g. "<f4", "|u1".
  std::string descr;
  char kind = 0;     ///< 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  int item_size = 0; ///< bytes per value
  bool big_endian = false;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::int64_t count = 1;              ///< number of values (product of shape)
  const unsigned char *data = nullptr; ///< count * item_size bytes

  /// Value i in storage order (exact for every type except 64-bit integers
  /// beyond 2^53, which no label or pixel reaches).
  double value(std::int64_t i) const;
  /// "(2, 28, 28)" as numpy prints it, for messages.
  std::string shape_string() const;
};

/// Parses the `size` bytes of a whole .npy file; `name` (the file, or
/// "archive.npz: member x.npy") and byte offsets into `bytes` go into every
/// DataError. Refuses a bad magic, unsupported dtype, more than 2^31 values,
/// and data shorter or longer than the header declares.
NpyArray parse_npy(const std::string &name, const unsigned char *bytes,
                   std::size_t size);

/// The array as an n x d float matrix (see read_npy_matrix).
Matrix npy_matrix(const std::string &name, const NpyArray &array);

/// The array as class labels (see read_npy_labels).
std::vector<std::int32_t> npy_labels(const std::string &name,
                                     const NpyArray &array);

/// Reads an array of any numeric dtype as an n x d float matrix: n = shape[0]
/// and d = product of the other dimensions (1 for a 1-D array; 784 for
/// n x 28 x 28 images). Fortran order is accepted for 1-D and 2-D arrays.
/// Non-finite values and arrays of more than 2^31 values are refused.
Matrix read_npy_matrix(const std::string &path);

/// Reads class labels: a 1-D array (or n x 1) of integers, or of floats that
/// are whole numbers, each in the int32 range.
std::vector<std::int32_t> read_npy_labels(const std::string &path);

} // namespace nebench
