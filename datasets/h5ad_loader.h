#pragma once
// AnnData .h5ad files (anndata.readthedocs.io, "On-disk format"), the usual
// container of single-cell data: cells are the points, genes the columns.
//
// X is read as
//   - a dense 2-D dataset of floats or integers, or
//   - a sparse matrix group holding data, indices and indptr: CSR or CSC,
//     marked by the attributes encoding-type = "csr_matrix" / "csc_matrix"
//     with `shape` (anndata >= 0.8), or h5sparse_format = "csr" / "csc" with
//     `h5sparse_shape` (older anndata). It is densified (CSC transposed on
//     the way), and refused when n x d float32 values would exceed
//     kH5adMaxDenseBytes: reduce the genes first.
// Labels come from a column of obs, named as in the spec ("obs/cell_type"):
//   - a categorical group {categories, codes} (anndata >= 0.8),
//   - integer codes with their names in obs/__categories/<column>
//     (anndata 0.7),
//   - a plain column of non-negative integers (used as they are) or of
//     strings (numbered in sorted order of the distinct names).
// Class names come from the categories or the strings. A missing value
// (code -1) is refused naming the row.
//
// Every problem, HDF5's own failures on truncated or corrupt files
// included, is a DataError naming the file and the HDF5 path ("cells.h5ad:
// /X/indptr: element 3 (2) is less than element 2 (5) ...").

#include "datasets/dataset.h"

#include <cstdint>
#include <string>

namespace nebench {

/// The most memory X may take densified: 8 GiB of float32 (2^31 values).
constexpr std::int64_t kH5adMaxDenseBytes = std::int64_t(8) << 30;

/// Reads X and, when `labels` is not empty, the obs column it names (a path
/// inside the file starting with "obs/"). The dataset's name and sha256 are
/// left to the caller; indices are the identity.
Dataset read_h5ad(const std::string &path, const std::string &labels = "");

} // namespace nebench
