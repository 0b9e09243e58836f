// Fuzzes the AnnData reader (datasets/h5ad_loader.h) with well-formed HDF5
// files of fuzzer-chosen content: X dense (fuzzed type, rank, extent and
// values) or a sparse group (encoding attributes, shape, and data, indices,
// indptr either consistent with one element changed, or arbitrary), and an
// obs column in each of the layouts the reader knows (categorical group,
// anndata 0.7 codes with __categories, plain integers, strings, floats).
// The input bytes drive an HDF5 writer; the file it writes is then read,
// with and without labels.
//
// As in fuzz/h5_fuzzer.cpp, the raw bytes are not the file: libhdf5 1.10
// has memory bugs on corrupt files (fuzz/libhdf5_findings/) that nebench
// cannot fix. Extents and shapes are small (0..6) or 2^32 and above, never
// in between: a legitimate 3 GiB X would trip libFuzzer's malloc limit,
// while 2^32 and above must be refused before allocating anything.
// DataError is the expected answer to a bad file; anything else is a
// finding.

#include "datasets/h5ad_loader.h"
#include "engine/core/errors.h"
#include "fuzz/fuzz_temp_dir.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

hid_t pick_type(FuzzedDataProvider &in, bool strings = false) {
  switch (in.ConsumeIntegralInRange(0, strings ? 6 : 5)) {
  case 0:
    return H5T_NATIVE_FLOAT;
  case 1:
    return H5T_NATIVE_DOUBLE;
  case 2:
    return H5T_NATIVE_INT32;
  case 3:
    return H5T_NATIVE_INT64;
  case 4:
    return H5T_NATIVE_INT8;
  case 5:
    return H5T_NATIVE_UINT8;
  default:
    return -1; // variable-length strings
  }
}

hsize_t pick_extent(FuzzedDataProvider &in) {
  return in.ConsumeIntegralInRange(0, 7) != 0
             ? in.ConsumeIntegralInRange<hsize_t>(0, 6)
             : hsize_t(1) << in.ConsumeIntegralInRange(32, 40);
}

/// Writes a dataset of `type` and extent `dims` at `path`; small ones get
/// `values` (converted from int64) or fuzzed bytes, huge ones stay
/// unwritten.
void write_numbers(hid_t file, const std::string &path, hid_t type,
                   const std::vector<hsize_t> &dims, FuzzedDataProvider &in,
                   const std::vector<std::int64_t> *values = nullptr) {
  const hid_t space = dims.empty()
                          ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(static_cast<int>(dims.size()),
                                             dims.data(), nullptr);
  const hid_t set = H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT);
  hsize_t count = 1;
  for (auto d : dims)
    count *= d;
  if (set >= 0 && count > 0 && count <= 64) {
    if (values && values->size() == count) {
      H5Dwrite(set, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
               values->data());
    } else {
      std::vector<std::uint8_t> bytes(count * H5Tget_size(type));
      for (auto &b : bytes)
        b = in.ConsumeIntegral<std::uint8_t>();
      H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    }
  }
  if (set >= 0)
    H5Dclose(set);
  H5Sclose(space);
}

void write_strings(hid_t file, const std::string &path, hsize_t n,
                   FuzzedDataProvider &in) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t set = H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT);
  if (set >= 0 && n > 0 && n <= 64) {
    std::vector<std::string> texts;
    for (hsize_t i = 0; i < n; ++i)
      texts.push_back(in.ConsumeRandomLengthString(8));
    std::vector<const char *> ptrs;
    for (const auto &t : texts)
      ptrs.push_back(t.c_str());
    H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
  }
  if (set >= 0)
    H5Dclose(set);
  H5Sclose(space);
  H5Tclose(type);
}

/// A 1-D dataset of a fuzzed type (strings included) and length.
void write_column(hid_t file, const std::string &path, hsize_t n,
                  FuzzedDataProvider &in) {
  const hid_t type = pick_type(in, true);
  if (type < 0)
    write_strings(file, path, n, in);
  else
    write_numbers(file, path, type, {n}, in);
}

void string_attr(hid_t object, const char *name, const std::string &value) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a =
      H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char *p = value.c_str();
  if (a >= 0) {
    H5Awrite(a, type, &p);
    H5Aclose(a);
  }
  H5Sclose(space);
  H5Tclose(type);
}

void shape_attr(hid_t object, const char *name, FuzzedDataProvider &in,
                std::int64_t &n, std::int64_t &d) {
  const hsize_t count = in.ConsumeIntegralInRange<hsize_t>(1, 3);
  std::vector<std::int64_t> values(count);
  for (auto &v : values)
    v = in.ConsumeIntegralInRange(0, 15) == 0
            ? -1
            : static_cast<std::int64_t>(pick_extent(in));
  n = values[0];
  d = count > 1 ? values[1] : 0;
  const hid_t space = H5Screate_simple(1, &count, nullptr);
  const hid_t type = in.ConsumeBool() ? H5T_NATIVE_INT64 : H5T_NATIVE_FLOAT;
  const hid_t a =
      H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    std::vector<float> f(values.begin(), values.end());
    H5Awrite(a, type,
             type == H5T_NATIVE_INT64 ? static_cast<const void *>(values.data())
                                      : f.data());
    H5Aclose(a);
  }
  H5Sclose(space);
}

/// CSR/CSC arrays of a random n x d pattern (major = n for CSR), with at
/// most one element changed.
void consistent_sparse(hid_t file, std::int64_t major, std::int64_t minor,
                       FuzzedDataProvider &in) {
  std::vector<std::int64_t> indptr{0}, indices, data;
  for (std::int64_t i = 0; i < major; ++i) {
    for (std::int64_t j = 0; j < minor && indices.size() < 32; ++j)
      if (in.ConsumeBool()) {
        indices.push_back(j);
        data.push_back(in.ConsumeIntegralInRange(-3, 9));
      }
    indptr.push_back(static_cast<std::int64_t>(indices.size()));
  }
  std::vector<std::int64_t> *arrays[3] = {&indptr, &indices, &data};
  std::vector<std::int64_t> &victim = *arrays[in.ConsumeIntegralInRange(0, 2)];
  if (in.ConsumeBool() && !victim.empty())
    victim[in.ConsumeIntegralInRange<std::size_t>(0, victim.size() - 1)] =
        in.ConsumeIntegralInRange<std::int64_t>(-2, 12);
  if (in.ConsumeIntegralInRange(0, 7) == 0 && !victim.empty())
    victim.pop_back();
  write_numbers(file, "X/indptr", pick_type(in), {indptr.size()}, in, &indptr);
  write_numbers(file, "X/indices", pick_type(in), {indices.size()}, in,
                &indices);
  write_numbers(file, "X/data", pick_type(in), {data.size()}, in, &data);
}

void write_x(hid_t file, FuzzedDataProvider &in) {
  const int kind = in.ConsumeIntegralInRange(0, 3);
  if (kind == 0)
    return; // no X
  if (kind == 1) {
    const int rank = in.ConsumeIntegralInRange(1, 3);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    for (auto &d : dims)
      d = pick_extent(in);
    write_numbers(file, "X", pick_type(in), dims, in);
    return;
  }
  const hid_t g = H5Gcreate2(file, "X", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    return;
  static const char *const kEncodings[] = {"csr_matrix", "csc_matrix", "array",
                                           "dataframe"};
  std::int64_t n = 0, d = 0;
  const bool csr = in.ConsumeBool();
  if (in.ConsumeBool()) {
    string_attr(g, "encoding-type",
                in.ConsumeIntegralInRange(0, 7) == 0
                    ? in.ConsumeRandomLengthString(12)
                    : kEncodings[csr ? 0 : in.ConsumeIntegralInRange(1, 3)]);
    if (in.ConsumeIntegralInRange(0, 7) != 0)
      shape_attr(g, "shape", in, n, d);
  } else {
    string_attr(g, "h5sparse_format", csr ? "csr" : "csc");
    if (in.ConsumeIntegralInRange(0, 7) != 0)
      shape_attr(g, "h5sparse_shape", in, n, d);
  }
  H5Gclose(g);
  const std::int64_t major = csr ? n : d, minor = csr ? d : n;
  if (in.ConsumeIntegralInRange(0, 3) != 0 && major >= 0 && major <= 6 &&
      minor >= 0 && minor <= 6) {
    consistent_sparse(file, major, minor, in);
    return;
  }
  for (const char *name : {"X/data", "X/indices", "X/indptr"})
    if (in.ConsumeIntegralInRange(0, 7) != 0)
      write_numbers(file, name, pick_type(in), {pick_extent(in)}, in);
}

void write_obs(hid_t file, FuzzedDataProvider &in) {
  const int kind = in.ConsumeIntegralInRange(0, 5);
  if (kind == 0)
    return; // no obs
  if (kind == 1) {
    write_numbers(file, "obs", H5T_NATIVE_INT32, {3}, in); // not a group
    return;
  }
  H5Gclose(H5Gcreate2(file, "obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  const hsize_t n = pick_extent(in);
  if (kind == 2) {
    // anndata >= 0.8 categorical
    const hid_t g = H5Gcreate2(file, "obs/cell_type", H5P_DEFAULT, H5P_DEFAULT,
                               H5P_DEFAULT);
    string_attr(g, "encoding-type",
                in.ConsumeIntegralInRange(0, 7) == 0 ? "dataframe"
                                                     : "categorical");
    H5Gclose(g);
    write_column(file, "obs/cell_type/categories", pick_extent(in), in);
    write_numbers(file, "obs/cell_type/codes", pick_type(in), {n}, in);
  } else if (kind == 3) {
    // anndata 0.7: codes, names apart
    H5Gclose(H5Gcreate2(file, "obs/__categories", H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT));
    write_column(file, "obs/__categories/cell_type", pick_extent(in), in);
    write_numbers(file, "obs/cell_type", pick_type(in), {n}, in);
  } else {
    write_column(file, kind == 4 ? "obs/cell_type" : "obs/louvain", n, in);
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string path =
      nebench::fuzz::FuzzTempDir::instance().path() + "/cells.h5ad";
  const hid_t file =
      H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    throw std::runtime_error("fuzz: cannot create " + path);
  write_x(file, in);
  write_obs(file, in);
  H5Fclose(file);

  for (const char *labels : {"", "obs/cell_type"}) {
    try {
      const nebench::Dataset ds = nebench::read_h5ad(path, labels);
      if (static_cast<std::int64_t>(ds.X.data.size()) != ds.X.rows * ds.X.cols)
        __builtin_trap();
      if (*labels && static_cast<std::int64_t>(ds.labels.size()) != ds.X.rows)
        __builtin_trap(); // labels that do not match the rows
    } catch (const nebench::NebenchError &) {
    }
  }
  return 0;
}
