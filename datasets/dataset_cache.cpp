#include "datasets/dataset_cache.h"

#include "engine/core/errors.h"

#include <H5Cpp.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace nebench {

namespace {

namespace fs = std::filesystem;

void quiet_hdf5() {
  // HDF5 prints its error stack to stderr by default; we report our own
  // messages instead.
  H5::Exception::dontPrint();
}

void write_string_attr(H5::H5Object &obj, const std::string &name,
                       const std::string &value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  a.write(type, value);
}

void write_int_attr(H5::H5Object &obj, const std::string &name, int value) {
  H5::Attribute a = obj.createAttribute(name, H5::PredType::NATIVE_INT,
                                        H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_INT, &value);
}

std::string read_string_attr(const H5::H5File &file, const std::string &path,
                             const std::string &name) {
  if (!file.attrExists(name))
    throw DataError(path, "missing attribute \"" + name + "\"");
  H5::Attribute a = file.openAttribute(name);
  // One value: reading an array attribute into one string would write past
  // it (fuzz/h5_fuzzer found this for cache_version).
  if (a.getTypeClass() != H5T_STRING ||
      a.getSpace().getSimpleExtentNpoints() != 1)
    throw DataError(path, "attribute \"" + name + "\" is not a string");
  std::string value;
  a.read(a.getStrType(), value);
  return value;
}

void write_double_attr(H5::H5Object &obj, const std::string &name,
                       double value) {
  H5::Attribute a = obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE,
                                        H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_DOUBLE, &value);
}

void write_image_attrs(H5::H5File &file, const Dataset &dataset) {
  const hsize_t three = 3;
  const std::int32_t shape[3] = {dataset.image.channels, dataset.image.height,
                                 dataset.image.width};
  H5::Attribute a = file.createAttribute(
      "image_shape", H5::PredType::NATIVE_INT32, H5::DataSpace(1, &three));
  a.write(H5::PredType::NATIVE_INT32, shape);
  write_double_attr(file, "pixel_max", dataset.pixel_max);
}

/// The image shape and pixel_max attributes; both absent (an old cache, or
/// data that are not images) leaves the dataset without a shape.
void read_image_attrs(const H5::H5File &file, const std::string &path,
                      Dataset &out) {
  const bool has_shape = file.attrExists("image_shape");
  const bool has_max = file.attrExists("pixel_max");
  if (!has_shape && !has_max)
    return;
  if (!has_shape || !has_max)
    throw DataError(path, "has only one of the attributes image_shape and "
                          "pixel_max (an image dataset needs both)");
  H5::Attribute a = file.openAttribute("image_shape");
  const H5::DataSpace space = a.getSpace();
  if (a.getTypeClass() != H5T_INTEGER || space.getSimpleExtentNdims() != 1 ||
      space.getSimpleExtentNpoints() != 3)
    throw DataError(path, "attribute image_shape must hold 3 integers "
                          "(channels, height, width)");
  std::int32_t shape[3] = {0, 0, 0};
  a.read(H5::PredType::NATIVE_INT32, shape);
  out.image = ImageShape{shape[0], shape[1], shape[2]};
  H5::Attribute m = file.openAttribute("pixel_max");
  if (m.getTypeClass() != H5T_FLOAT ||
      m.getSpace().getSimpleExtentNpoints() != 1)
    throw DataError(path, "attribute pixel_max must be a number");
  m.read(H5::PredType::NATIVE_DOUBLE, &out.pixel_max);
  if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1 || !(out.pixel_max > 0))
    throw DataError(path,
                    "image_shape " + out.image.describe() + " and pixel_max " +
                        std::to_string(out.pixel_max) + " must be positive");
  if (out.image.size() != out.X.cols)
    throw DataError(path, "image_shape " + out.image.describe() + " holds " +
                              std::to_string(out.image.size()) +
                              " values per image, /X has " +
                              std::to_string(out.X.cols) + " columns");
}

int read_cache_version(const H5::H5File &file) {
  if (!file.attrExists("cache_version"))
    return kDatasetCacheVersion;
  H5::Attribute a = file.openAttribute("cache_version");
  // An array attribute would be read past `v` (a stack overflow found by
  // fuzz/h5_fuzzer): one integer only.
  if (a.getTypeClass() != H5T_INTEGER ||
      a.getSpace().getSimpleExtentNpoints() != 1)
    throw DataError(file.getFileName(),
                    "attribute cache_version must be one integer");
  int v = 0;
  a.read(H5::PredType::NATIVE_INT, &v);
  return v;
}

template <class T>
void write_dataset(H5::H5File &file, const std::string &name,
                   const H5::PredType &type, const std::vector<hsize_t> &dims,
                   const T *data) {
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  H5::DataSet ds = file.createDataSet(name, type, space);
  hsize_t count = 1;
  for (auto d : dims)
    count *= d;
  if (count > 0) // HDF5 refuses a null buffer even for zero elements
    ds.write(data, type);
}

/// Opens /name and checks its type class and rank; returns its dimensions.
std::vector<hsize_t> dims_of(const H5::H5File &file, const std::string &path,
                             const std::string &name, H5T_class_t cls, int rank,
                             H5::DataSet &out) {
  if (!file.nameExists(name))
    throw DataError(path, "missing dataset /" + name);
  // An AnnData file's sparse X is a group: say so rather than HDF5's
  // "H5Dopen2 failed".
  if (file.childObjType(name) != H5O_TYPE_DATASET)
    throw DataError(path, "/" + name +
                              " is not a dataset (a group? nebench reads a "
                              "dense /" +
                              name + ")");
  out = file.openDataSet(name);
  if (out.getTypeClass() != cls)
    throw DataError(path, "dataset /" + name +
                              " has the wrong type (expected " +
                              (cls == H5T_FLOAT ? "float" : "integer") + ")");
  const H5::DataSpace space = out.getSpace();
  if (space.getSimpleExtentNdims() != rank)
    throw DataError(path, "dataset /" + name + " has rank " +
                              std::to_string(space.getSimpleExtentNdims()) +
                              ", expected " + std::to_string(rank));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  space.getSimpleExtentDims(dims.data());
  // Declared but never written: HDF5 allocates storage late and would read
  // fill values, so a tiny file could make us allocate 2^31 values for no
  // data (fuzz/h5_fuzzer).
  H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
  out.getSpaceStatus(status);
  if (space.getSimpleExtentNpoints() > 0 &&
      status == H5D_SPACE_STATUS_NOT_ALLOCATED)
    throw DataError(path, "dataset /" + name + " declares " +
                              std::to_string(space.getSimpleExtentNpoints()) +
                              " values but stores none (never written)");
  return dims;
}

} // namespace

void write_dataset_h5(const std::string &path, const Dataset &dataset) {
  quiet_hdf5();
  const std::int64_t n = dataset.X.rows, d = dataset.X.cols;
  if (static_cast<std::int64_t>(dataset.X.data.size()) != n * d)
    throw DataError(path, "refusing to write: X has " +
                              std::to_string(dataset.X.data.size()) +
                              " values for " + std::to_string(n) + " x " +
                              std::to_string(d));
  if (!dataset.labels.empty() &&
      static_cast<std::int64_t>(dataset.labels.size()) != n)
    throw DataError(
        path, "refusing to write: " + std::to_string(dataset.labels.size()) +
                  " labels for " + std::to_string(n) + " rows");
  if (!dataset.indices.empty() &&
      static_cast<std::int64_t>(dataset.indices.size()) != n)
    throw DataError(
        path, "refusing to write: " + std::to_string(dataset.indices.size()) +
                  " indices for " + std::to_string(n) + " rows");
  if (!dataset.image.empty() &&
      (dataset.image.size() != d || dataset.image.channels < 1 ||
       dataset.image.height < 1 || dataset.image.width < 1 ||
       !(dataset.pixel_max > 0)))
    throw DataError(path, "refusing to write: image shape " +
                              dataset.image.describe() + " with pixel_max " +
                              std::to_string(dataset.pixel_max) + " for " +
                              std::to_string(d) + " values per row");
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path())
    fs::create_directories(target.parent_path(), ec);
  // Unique per process: two runs preparing the same cache at once must not
  // write into one temporary file.
  const std::string tmp =
      path + "." + std::to_string(static_cast<long>(getpid())) + ".tmp";
  try {
    H5::H5File file(tmp, H5F_ACC_TRUNC);
    write_dataset(file, "X", H5::PredType::NATIVE_FLOAT,
                  {static_cast<hsize_t>(n), static_cast<hsize_t>(d)},
                  dataset.X.data.data());
    write_dataset(file, "labels", H5::PredType::NATIVE_INT32,
                  {static_cast<hsize_t>(dataset.labels.size())},
                  dataset.labels.data());
    const std::vector<std::int64_t> indices =
        dataset.indices.empty() ? identity_indices(n) : dataset.indices;
    write_dataset(file, "indices", H5::PredType::NATIVE_INT64,
                  {static_cast<hsize_t>(indices.size())}, indices.data());
    write_string_attr(file, "name", dataset.name);
    write_string_attr(file, "sha256", dataset.sha256);
    write_string_attr(file, "class_names_json",
                      nlohmann::json(dataset.class_names).dump());
    write_int_attr(file, "cache_version", kDatasetCacheVersion);
    if (!dataset.image.empty())
      write_image_attrs(file, dataset);
    file.close();
  } catch (const H5::Exception &e) {
    fs::remove(tmp, ec);
    throw DataError(path, "cannot write HDF5 file: " + e.getDetailMsg());
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw DataError(path, "cannot rename the temporary file into place: " +
                              ec.message());
  }
}

Dataset read_dataset_h5(const std::string &path) {
  quiet_hdf5();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw DataError(path, "file not found (or not a regular file)");
  try {
    if (H5::H5File::isHdf5(path.c_str()) <= 0)
      throw DataError(path, "not an HDF5 file");
    H5::H5File file(path, H5F_ACC_RDONLY);
    const int version = read_cache_version(file);
    if (version != kDatasetCacheVersion)
      throw DataError(path, "cache_version " + std::to_string(version) +
                                ", this nebench reads version " +
                                std::to_string(kDatasetCacheVersion));
    Dataset out;
    H5::DataSet xs;
    const auto xd = dims_of(file, path, "X", H5T_FLOAT, 2, xs);
    // HDF5 lets a small file declare any extent (unwritten data reads as
    // the fill value): refuse more than 2^31 values, as the other loaders
    // do, before allocating (fuzz/h5_fuzzer: 2^60 values, a bad_alloc).
    constexpr hsize_t kMaxValues = hsize_t(1) << 31;
    if (xd[0] > kMaxValues || xd[1] > kMaxValues ||
        (xd[1] > 0 && xd[0] > kMaxValues / xd[1]))
      throw DataError(path, "dataset /X declares " + std::to_string(xd[0]) +
                                " x " + std::to_string(xd[1]) +
                                " values, more than the 2^31 accepted");
    // Rows without columns store nothing, so the check above cannot bound
    // them, yet the row count sizes /indices (fuzz/h5_fuzzer: 2^31 x 0, a
    // 16 GB identity index). A dataset with rows has columns.
    if (xd[0] > 0 && xd[1] == 0)
      throw DataError(path, "dataset /X declares " + std::to_string(xd[0]) +
                                " rows of 0 columns");
    const auto n = static_cast<std::int64_t>(xd[0]);
    const auto d = static_cast<std::int64_t>(xd[1]);
    out.X = Matrix(n, d);
    if (n * d > 0)
      xs.read(out.X.data.data(), H5::PredType::NATIVE_FLOAT);

    H5::DataSet ls;
    const auto ld = dims_of(file, path, "labels", H5T_INTEGER, 1, ls);
    if (ld[0] != 0 && static_cast<std::int64_t>(ld[0]) != n)
      throw DataError(path, "dataset /labels has " + std::to_string(ld[0]) +
                                " entries, /X has " + std::to_string(n) +
                                " rows");
    out.labels.resize(ld[0]);
    if (ld[0] > 0)
      ls.read(out.labels.data(), H5::PredType::NATIVE_INT32);

    if (file.nameExists("indices")) {
      H5::DataSet is;
      const auto id = dims_of(file, path, "indices", H5T_INTEGER, 1, is);
      if (static_cast<std::int64_t>(id[0]) != n)
        throw DataError(path, "dataset /indices has " + std::to_string(id[0]) +
                                  " entries, /X has " + std::to_string(n) +
                                  " rows");
      out.indices.resize(id[0]);
      if (id[0] > 0)
        is.read(out.indices.data(), H5::PredType::NATIVE_INT64);
    } else {
      out.indices = identity_indices(n);
    }

    out.name = read_string_attr(file, path, "name");
    out.sha256 = read_string_attr(file, path, "sha256");
    const std::string names = read_string_attr(file, path, "class_names_json");
    try {
      out.class_names =
          nlohmann::json::parse(names).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception &e) {
      throw DataError(path, "attribute class_names_json is not a JSON array "
                            "of strings: " +
                                std::string(e.what()));
    }
    read_image_attrs(file, path, out);
    return out;
  } catch (const H5::Exception &e) {
    throw DataError(path, "cannot read HDF5 file: " + e.getDetailMsg());
  }
}

std::string read_dataset_h5_digest(const std::string &path) {
  quiet_hdf5();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return "";
  try {
    if (H5::H5File::isHdf5(path.c_str()) <= 0)
      return "";
    H5::H5File file(path, H5F_ACC_RDONLY);
    if (read_cache_version(file) != kDatasetCacheVersion)
      return "";
    return read_string_attr(file, path, "sha256");
  } catch (const H5::Exception &) {
    return "";
  } catch (const DataError &) {
    return "";
  }
}

} // namespace nebench
