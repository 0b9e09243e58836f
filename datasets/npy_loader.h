#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0; numpy.org/neps/
// nep-0001-npy-format): the magic "\x93NUMPY", a version, a header length and
// a Python dict literal {'descr': dtype, 'fortran_order': bool, 'shape': (..)}
// followed by the raw values. Integer and floating dtypes of either byte
// order are read; object, string and complex arrays are refused.

#include "engine/core/matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// Reads an array of any numeric dtype as an n x d float matrix: n = shape[0]
/// and d = product of the other dimensions (1 for a 1-D array; 784 for
/// n x 28 x 28 images). Fortran order is accepted for 1-D and 2-D arrays.
/// Non-finite values and arrays of more than 2^31 values are refused.
Matrix read_npy_matrix(const std::string &path);

/// Reads class labels: a 1-D array (or n x 1) of integers, or of floats that
/// are whole numbers, each in the int32 range.
std::vector<std::int32_t> read_npy_labels(const std::string &path);

} // namespace nebench
