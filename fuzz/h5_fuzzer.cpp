// Fuzzes the HDF5 dataset reader (datasets/dataset_cache.h: /X, /labels,
// /indices and the attributes; the "h5" user format) with well-formed HDF5
// files of fuzzer-chosen content: which datasets and attributes exist, their
// types, ranks, extents (up to 2^40, never written) and values, and the
// class_names_json text. The input bytes drive an HDF5 writer; the file it
// writes is then read.
//
// Why not the raw bytes as the file: libhdf5 1.10 (Debian 12) has memory
// bugs on corrupt files (fuzz/libhdf5_findings/: a memcpy overlap in
// H5HG_read within seconds), so a raw-byte target stops at the library's
// bugs, which nebench cannot fix, before it reaches the reader's own checks.
// DataError is the expected answer to a bad file; anything else is a
// finding.

#include "datasets/dataset_cache.h"
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

/// One of the HDF5 types a field may get.
hid_t pick_type(FuzzedDataProvider &in) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
  case 0:
    return H5T_NATIVE_FLOAT;
  case 1:
    return H5T_NATIVE_DOUBLE;
  case 2:
    return H5T_NATIVE_INT32;
  case 3:
    return H5T_NATIVE_INT64;
  default:
    return H5T_NATIVE_UINT8;
  }
}

/// Writes dataset `name` (or not), of fuzzed type, rank and extent. Small
/// extents get fuzzed values; a huge one stays unwritten (contiguous
/// storage is allocated late, so the file stays small).
void write_dataset(hid_t file, const char *name, FuzzedDataProvider &in) {
  if (!in.ConsumeBool())
    return;
  const hid_t type = pick_type(in);
  const int rank = in.ConsumeIntegralInRange(0, 3);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  hsize_t count = 1;
  for (auto &d : dims) {
    d = in.ConsumeBool() ? in.ConsumeIntegralInRange<hsize_t>(0, 6)
                         : hsize_t(1) << in.ConsumeIntegralInRange(20, 40);
    count *= d;
  }
  const hid_t space = rank == 0 ? H5Screate(H5S_SCALAR)
                                : H5Screate_simple(rank, dims.data(), nullptr);
  const hid_t set = H5Dcreate2(file, name, type, space, H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT);
  if (set >= 0 && count <= 64) {
    std::vector<std::uint8_t> bytes(count * H5Tget_size(type));
    for (auto &b : bytes)
      b = in.ConsumeIntegral<std::uint8_t>();
    if (!bytes.empty())
      H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
  }
  if (set >= 0)
    H5Dclose(set);
  H5Sclose(space);
}

/// Writes root attribute `name` (or not): a variable-length string, a
/// number, or an integer array, with fuzzed content.
void write_attribute(hid_t file, const char *name, FuzzedDataProvider &in) {
  const int kind = in.ConsumeIntegralInRange(0, 3);
  if (kind == 0)
    return;
  if (kind == 1) {
    const std::string text = in.ConsumeRandomLengthString(64);
    const char *value = text.c_str();
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a =
        H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
      H5Awrite(a, type, &value);
      H5Aclose(a);
    }
    H5Sclose(space);
    H5Tclose(type);
    return;
  }
  const hsize_t n = kind == 2 ? 1 : in.ConsumeIntegralInRange<hsize_t>(0, 4);
  const hid_t type = pick_type(in);
  std::vector<std::uint8_t> bytes(n * H5Tget_size(type));
  for (auto &b : bytes)
    b = in.ConsumeIntegral<std::uint8_t>();
  const hid_t space =
      kind == 2 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
  const hid_t a = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    if (!bytes.empty())
      H5Awrite(a, type, bytes.data());
    H5Aclose(a);
  }
  H5Sclose(space);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // A refused write or read is part of the game: no error stacks on stderr.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string path =
      nebench::fuzz::FuzzTempDir::instance().path() + "/data.h5";
  const hid_t file =
      H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    throw std::runtime_error("fuzz: cannot create " + path);
  for (const char *name : {"X", "labels", "indices"})
    write_dataset(file, name, in);
  for (const char *name : {"name", "sha256", "class_names_json",
                           "cache_version", "image_shape", "pixel_max"})
    write_attribute(file, name, in);
  H5Fclose(file);

  (void)nebench::read_dataset_h5_digest(path); // documented not to throw
  try {
    (void)nebench::read_dataset_h5(path);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
