#include "datasets/h5ad_loader.h"

#include "engine/core/errors.h"

#include <H5Cpp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

namespace nebench {

namespace {

namespace fs = std::filesystem;

/// Values read per HDF5 call when streaming X: bounds the extra memory
/// next to the dense matrix.
constexpr hsize_t kBlock = hsize_t(1) << 20;

std::string type_class_name(H5T_class_t c) {
  switch (c) {
  case H5T_INTEGER:
    return "integer";
  case H5T_FLOAT:
    return "float";
  case H5T_STRING:
    return "string";
  case H5T_COMPOUND:
    return "compound";
  case H5T_ENUM:
    return "enum (boolean?)";
  case H5T_REFERENCE:
    return "reference";
  default:
    return "type class " + std::to_string(static_cast<int>(c));
  }
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(1 << 30));
  return buf;
}

class H5adReader {
public:
  explicit H5adReader(const std::string &path) : path_(path) {}

  Dataset read(const std::string &labels) {
    std::error_code ec;
    if (!fs::is_regular_file(path_, ec))
      throw DataError(path_, "file not found (or not a regular file)");
    // HDF5 prints its error stack to stderr by default; we report our own
    // messages (as datasets/dataset_cache.cpp does).
    H5::Exception::dontPrint();
    try {
      if (H5::H5File::isHdf5(path_.c_str()) <= 0)
        throw DataError(path_, "not an HDF5 file (an .h5ad file is HDF5, as "
                               "anndata's write_h5ad writes it)");
      file_.openFile(path_, H5F_ACC_RDONLY);
      Dataset out;
      out.X = read_x();
      if (!labels.empty())
        read_labels(labels, out);
      out.indices = identity_indices(out.X.rows);
      return out;
    } catch (const H5::Exception &e) {
      throw DataError(path_, where_ +
                                 ": cannot read (HDF5: " + e.getDetailMsg() +
                                 "); the file is truncated or corrupt");
    }
  }

private:
  [[noreturn]] void fail(const std::string &h5path,
                         const std::string &message) const {
    throw DataError(path_, h5path + ": " + message);
  }

  /// The type of the object at `h5path` ("/obs/cell_type"), or
  /// H5O_TYPE_UNKNOWN when it (or a group on the way) does not exist.
  H5O_type_t object_type(const std::string &h5path) {
    where_ = h5path;
    std::size_t pos = 1;
    while (true) {
      const std::size_t slash = h5path.find('/', pos);
      const std::string prefix = h5path.substr(0, slash);
      if (!file_.nameExists(prefix))
        return H5O_TYPE_UNKNOWN;
      if (slash == std::string::npos)
        break;
      if (file_.childObjType(prefix) != H5O_TYPE_GROUP)
        return H5O_TYPE_UNKNOWN;
      pos = slash + 1;
    }
    return file_.childObjType(h5path);
  }

  /// Attribute `name` of the object at `h5path` as one string; "" when
  /// absent.
  std::string string_attr(const H5::H5Object &obj, const std::string &h5path,
                          const std::string &name) {
    where_ = h5path + " (attribute " + name + ")";
    if (!obj.attrExists(name))
      return "";
    H5::Attribute a = obj.openAttribute(name);
    // One value: reading an array attribute into one string would write
    // past it.
    if (a.getTypeClass() != H5T_STRING ||
        a.getSpace().getSimpleExtentNpoints() != 1)
      fail(h5path, "attribute " + name + " is not a string");
    std::string value;
    a.read(a.getStrType(), value);
    return value;
  }

  /// The shape attribute of a sparse X: two non-negative integers.
  std::pair<std::int64_t, std::int64_t> shape_attr(const H5::Group &g,
                                                   const std::string &h5path,
                                                   const std::string &name) {
    where_ = h5path + " (attribute " + name + ")";
    if (!g.attrExists(name))
      fail(h5path, "sparse matrix without its attribute " + name);
    H5::Attribute a = g.openAttribute(name);
    const H5::DataSpace space = a.getSpace();
    if (a.getTypeClass() != H5T_INTEGER || space.getSimpleExtentNdims() != 1 ||
        space.getSimpleExtentNpoints() != 2)
      fail(h5path, "attribute " + name +
                       " must hold 2 integers (rows, "
                       "columns)");
    std::int64_t shape[2] = {0, 0};
    a.read(H5::PredType::NATIVE_INT64, shape);
    if (shape[0] < 0 || shape[1] < 0)
      fail(h5path, "attribute " + name + " is negative (" +
                       std::to_string(shape[0]) + ", " +
                       std::to_string(shape[1]) + ")");
    return {shape[0], shape[1]};
  }

  /// Opens the dataset at `h5path` and checks its rank; `dims` gets its
  /// extent.
  H5::DataSet open_dataset(const std::string &h5path, int rank,
                           std::vector<hsize_t> &dims) {
    const H5O_type_t type = object_type(h5path);
    if (type == H5O_TYPE_UNKNOWN)
      fail(h5path, "missing");
    if (type != H5O_TYPE_DATASET)
      fail(h5path, "is not a dataset");
    H5::DataSet ds = file_.openDataSet(h5path);
    const H5::DataSpace space = ds.getSpace();
    if (space.getSimpleExtentNdims() != rank)
      fail(h5path, "has rank " + std::to_string(space.getSimpleExtentNdims()) +
                       ", expected " + std::to_string(rank));
    dims.assign(static_cast<std::size_t>(rank), 0);
    space.getSimpleExtentDims(dims.data());
    // Declared but never written: HDF5 would read fill values, so a tiny
    // file could make us allocate gigabytes for no data (as
    // datasets/dataset_cache.cpp guards against).
    H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
    ds.getSpaceStatus(status);
    if (space.getSimpleExtentNpoints() > 0 &&
        status == H5D_SPACE_STATUS_NOT_ALLOCATED)
      fail(h5path, "declares " +
                       std::to_string(space.getSimpleExtentNpoints()) +
                       " values but stores none (never written)");
    return ds;
  }

  void expect_numeric(const H5::DataSet &ds, const std::string &h5path,
                      bool allow_float) {
    const H5T_class_t c = ds.getTypeClass();
    if (c != H5T_INTEGER && !(allow_float && c == H5T_FLOAT))
      fail(h5path, "has " + type_class_name(c) + " values, expected " +
                       (allow_float ? "numbers" : "integers"));
  }

  /// Reads `count` values of a 1-D dataset from `start`.
  template <class T>
  void read_block(const H5::DataSet &ds, const H5::PredType &type,
                  hsize_t start, hsize_t count, T *out) {
    if (count == 0)
      return;
    H5::DataSpace file_space = ds.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, &count, &start);
    const H5::DataSpace memory(1, &count);
    ds.read(out, type, memory, file_space);
  }

  /// Refuses an X that would not fit the dense limit.
  void check_dense_size(const std::string &h5path, std::int64_t n,
                        std::int64_t d) {
    const double bytes = 4.0 * double(n) * double(d);
    if (bytes > double(kH5adMaxDenseBytes))
      fail(h5path, "densifying " + std::to_string(n) + " x " +
                       std::to_string(d) + " values needs " + gib(bytes) +
                       " as float32, more than the " +
                       gib(double(kH5adMaxDenseBytes)) +
                       " nebench accepts; select cells or genes (e.g. highly "
                       "variable genes) first");
    // Rows without columns store nothing yet size the index arrays.
    if (n > 0 && d == 0)
      fail(h5path, "has " + std::to_string(n) + " rows of 0 columns");
  }

  Matrix read_x() {
    const H5O_type_t type = object_type("/X");
    if (type == H5O_TYPE_UNKNOWN)
      fail("/X", "missing (nebench reads the data matrix X; layers and "
                 "obsm are not read)");
    if (type == H5O_TYPE_DATASET)
      return read_dense();
    if (type != H5O_TYPE_GROUP)
      fail("/X", "is neither a dataset nor a group");
    return read_sparse();
  }

  Matrix read_dense() {
    std::vector<hsize_t> dims;
    H5::DataSet ds = open_dataset("/X", 2, dims);
    expect_numeric(ds, "/X", true);
    const auto n = static_cast<std::int64_t>(
        std::min<hsize_t>(dims[0], std::numeric_limits<std::int64_t>::max()));
    const auto d = static_cast<std::int64_t>(
        std::min<hsize_t>(dims[1], std::numeric_limits<std::int64_t>::max()));
    check_dense_size("/X", n, d);
    Matrix X(n, d);
    if (n == 0 || d == 0)
      return X;
    // Row blocks read as double, so that values beyond float32 are caught
    // rather than converted to Inf.
    const hsize_t rows_per_block = std::max<hsize_t>(1, kBlock / dims[1]);
    std::vector<double> buf;
    for (hsize_t r0 = 0; r0 < dims[0]; r0 += rows_per_block) {
      hsize_t count[2] = {std::min(rows_per_block, dims[0] - r0), dims[1]};
      hsize_t start[2] = {r0, 0};
      H5::DataSpace file_space = ds.getSpace();
      file_space.selectHyperslab(H5S_SELECT_SET, count, start);
      const H5::DataSpace memory(2, count);
      buf.resize(count[0] * count[1]);
      ds.read(buf.data(), H5::PredType::NATIVE_DOUBLE, memory, file_space);
      for (std::size_t k = 0; k < buf.size(); ++k) {
        if (!std::isfinite(buf[k]) ||
            std::fabs(buf[k]) > std::numeric_limits<float>::max())
          fail("/X", "row " + std::to_string(r0 + k / dims[1]) + ", column " +
                         std::to_string(k % dims[1]) + " is " +
                         (std::isfinite(buf[k]) ? "outside the float32 range"
                                                : "not finite"));
        X.data[r0 * dims[1] + k] = static_cast<float>(buf[k]);
      }
    }
    return X;
  }

  Matrix read_sparse() {
    H5::Group g = file_.openGroup("/X");
    const std::string encoding = string_attr(g, "/X", "encoding-type");
    const std::string h5sparse = string_attr(g, "/X", "h5sparse_format");
    bool csr = true;
    std::pair<std::int64_t, std::int64_t> shape;
    if (encoding == "csr_matrix" || encoding == "csc_matrix") {
      csr = encoding == "csr_matrix";
      shape = shape_attr(g, "/X", "shape");
    } else if (encoding.empty() && (h5sparse == "csr" || h5sparse == "csc")) {
      csr = h5sparse == "csr";
      shape = shape_attr(g, "/X", "h5sparse_shape");
    } else {
      fail("/X", "is a group of encoding-type \"" + encoding +
                     "\"; nebench reads a dense X or a sparse one "
                     "(csr_matrix, csc_matrix)");
    }
    const auto [n, d] = shape;
    check_dense_size("/X", n, d);
    // CSR compresses rows (indptr has one entry per row, plus one), CSC
    // columns.
    const std::int64_t major = csr ? n : d, minor = csr ? d : n;
    const std::string shape_text =
        "(" + std::to_string(n) + ", " + std::to_string(d) + ")";

    std::vector<hsize_t> pd, dd, id;
    H5::DataSet indptr_ds = open_dataset("/X/indptr", 1, pd);
    expect_numeric(indptr_ds, "/X/indptr", false);
    H5::DataSet data_ds = open_dataset("/X/data", 1, dd);
    expect_numeric(data_ds, "/X/data", true);
    H5::DataSet indices_ds = open_dataset("/X/indices", 1, id);
    expect_numeric(indices_ds, "/X/indices", false);
    if (pd[0] != static_cast<hsize_t>(major) + 1)
      fail("/X/indptr", "has " + std::to_string(pd[0]) + " entries, expected " +
                            std::to_string(major + 1) + " (one per " +
                            (csr ? "row" : "column") + " of shape " +
                            shape_text + ", plus one)");
    const hsize_t nnz = dd[0];
    if (id[0] != nnz)
      fail("/X/indices", "has " + std::to_string(id[0]) + " entries, /X/data " +
                             std::to_string(nnz));
    if (static_cast<double>(nnz) > double(n) * double(d))
      fail("/X/data",
           "has " + std::to_string(nnz) + " stored values, more than the " +
               std::to_string(n * d) + " cells of shape " + shape_text);

    std::vector<std::int64_t> indptr(pd[0]);
    where_ = "/X/indptr";
    read_block(indptr_ds, H5::PredType::NATIVE_INT64, 0, pd[0], indptr.data());
    if (indptr[0] != 0)
      fail("/X/indptr",
           "element 0 is " + std::to_string(indptr[0]) + ", must be 0");
    for (std::size_t i = 1; i < indptr.size(); ++i)
      if (indptr[i] < indptr[i - 1])
        fail("/X/indptr",
             "element " + std::to_string(i) + " (" + std::to_string(indptr[i]) +
                 ") is less than element " + std::to_string(i - 1) + " (" +
                 std::to_string(indptr[i - 1]) + "): indptr must not decrease");
    if (indptr.back() != static_cast<std::int64_t>(nnz))
      fail("/X/indptr", "element " + std::to_string(indptr.size() - 1) +
                            " (the last) is " + std::to_string(indptr.back()) +
                            ", must equal the " + std::to_string(nnz) +
                            " stored values of /X/data");

    Matrix X(n, d);
    std::vector<double> values;
    std::vector<std::int64_t> indices;
    std::int64_t outer = 0; // the row (CSR) or column (CSC) of entry k
    for (hsize_t k0 = 0; k0 < nnz; k0 += kBlock) {
      const hsize_t count = std::min(kBlock, nnz - k0);
      values.resize(count);
      indices.resize(count);
      where_ = "/X/data";
      read_block(data_ds, H5::PredType::NATIVE_DOUBLE, k0, count,
                 values.data());
      where_ = "/X/indices";
      read_block(indices_ds, H5::PredType::NATIVE_INT64, k0, count,
                 indices.data());
      for (hsize_t j = 0; j < count; ++j) {
        const auto k = static_cast<std::int64_t>(k0 + j);
        while (indptr[static_cast<std::size_t>(outer) + 1] <= k)
          ++outer;
        const std::int64_t inner = indices[j];
        if (inner < 0 || inner >= minor)
          fail("/X/indices", "element " + std::to_string(k) + " is " +
                                 std::to_string(inner) + ", outside [0, " +
                                 std::to_string(minor) + ") (the " +
                                 (csr ? "columns" : "rows") + " of shape " +
                                 shape_text + ")");
        if (!std::isfinite(values[j]) ||
            std::fabs(values[j]) > std::numeric_limits<float>::max())
          fail("/X/data",
               "element " + std::to_string(k) + " is " +
                   (std::isfinite(values[j]) ? "outside the float32 range"
                                             : "not finite"));
        // Duplicate entries add up, as in scipy's toarray().
        float &cell = csr ? X(outer, inner) : X(inner, outer);
        cell += static_cast<float>(values[j]);
        if (!std::isfinite(cell))
          fail("/X/data", "element " + std::to_string(k) +
                              " overflows float32 when added to a duplicate "
                              "entry of the same cell");
      }
    }
    return X;
  }

  /// A 1-D dataset of names (strings, or numbers written as text).
  std::vector<std::string> read_names(const std::string &h5path) {
    std::vector<hsize_t> dims;
    H5::DataSet ds = open_dataset(h5path, 1, dims);
    const hsize_t count = dims[0];
    std::vector<std::string> out(count);
    const H5T_class_t c = ds.getTypeClass();
    if (count == 0)
      return out;
    if (c == H5T_INTEGER || c == H5T_FLOAT) {
      std::vector<double> v(count);
      read_block(ds, H5::PredType::NATIVE_DOUBLE, 0, count, v.data());
      for (hsize_t i = 0; i < count; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v[i]);
        out[i] = buf;
      }
      return out;
    }
    if (c != H5T_STRING)
      fail(h5path,
           "has " + type_class_name(c) + " values, expected strings (names)");
    const H5::StrType file_type = ds.getStrType();
    if (file_type.isVariableStr()) {
      H5::StrType memory(H5::PredType::C_S1, H5T_VARIABLE);
      memory.setCset(file_type.getCset());
      std::vector<char *> ptrs(count, nullptr);
      ds.read(ptrs.data(), memory);
      for (hsize_t i = 0; i < count; ++i)
        out[i] = ptrs[i] ? ptrs[i] : "";
      const H5::DataSpace space = ds.getSpace();
      H5Dvlen_reclaim(memory.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
      return out;
    }
    const std::size_t size = file_type.getSize();
    H5::StrType memory(H5::PredType::C_S1, size);
    memory.setCset(file_type.getCset());
    std::vector<char> buf(count * size);
    ds.read(buf.data(), memory);
    for (hsize_t i = 0; i < count; ++i) {
      const char *s = buf.data() + i * size;
      out[i].assign(s, strnlen(s, size));
    }
    return out;
  }

  /// Integer codes of a column with n entries.
  std::vector<std::int64_t> read_codes(const std::string &h5path,
                                       std::int64_t n) {
    std::vector<hsize_t> dims;
    H5::DataSet ds = open_dataset(h5path, 1, dims);
    expect_numeric(ds, h5path, false);
    if (dims[0] != static_cast<hsize_t>(n))
      fail(h5path, "has " + std::to_string(dims[0]) + " entries, /X has " +
                       std::to_string(n) + " rows");
    std::vector<std::int64_t> codes(dims[0]);
    read_block(ds, H5::PredType::NATIVE_INT64, 0, dims[0], codes.data());
    return codes;
  }

  /// Codes into categories -> labels and class names.
  void categorical(const std::string &codes_path,
                   const std::string &categories_path, std::int64_t n,
                   Dataset &out) {
    const std::vector<std::int64_t> codes = read_codes(codes_path, n);
    out.class_names = read_names(categories_path);
    const auto k = static_cast<std::int64_t>(out.class_names.size());
    out.labels.resize(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (codes[i] == -1)
        fail(codes_path,
             "element " + std::to_string(i) + " is -1: row " +
                 std::to_string(i) +
                 " has no category (a missing value); drop or fill the "
                 "unlabelled cells first");
      if (codes[i] < 0 || codes[i] >= k)
        fail(codes_path, "element " + std::to_string(i) + " is " +
                             std::to_string(codes[i]) + ", outside [0, " +
                             std::to_string(k) + ") (the categories in " +
                             categories_path + ")");
      out.labels[i] = static_cast<std::int32_t>(codes[i]);
    }
  }

  /// The names of obs's columns, for a message.
  std::string obs_columns() {
    H5::Group obs = file_.openGroup("/obs");
    std::string names;
    const hsize_t count = obs.getNumObjs();
    for (hsize_t i = 0; i < count && i < 30; ++i) {
      const std::string name = obs.getObjnameByIdx(i);
      if (name == "__categories" || name == "_index")
        continue;
      names += (names.empty() ? "" : ", ") + name;
    }
    if (count > 30)
      names += ", ...";
    return names.empty() ? "none" : names;
  }

  void read_labels(const std::string &labels, Dataset &out) {
    const std::int64_t n = out.X.rows;
    const std::string h5path = "/" + labels;
    const H5O_type_t obs = object_type("/obs");
    if (obs == H5O_TYPE_UNKNOWN)
      fail("/obs", "missing (the file has no cell annotations to take " +
                       labels + " from)");
    if (obs != H5O_TYPE_GROUP)
      fail("/obs", "is not a group of columns (a compound dataset, as "
                   "anndata < 0.7 wrote? re-save the file with a current "
                   "anndata)");
    const H5O_type_t type = object_type(h5path);
    if (type == H5O_TYPE_UNKNOWN)
      fail(h5path, "missing (obs columns: " + obs_columns() + ")");
    if (type == H5O_TYPE_GROUP) {
      const H5::Group g = file_.openGroup(h5path);
      const std::string encoding = string_attr(g, h5path, "encoding-type");
      if (encoding != "categorical")
        fail(h5path, "is a group of encoding-type \"" + encoding +
                         "\", expected a categorical column (codes and "
                         "categories)");
      categorical(h5path + "/codes", h5path + "/categories", n, out);
      return;
    }
    if (type != H5O_TYPE_DATASET)
      fail(h5path, "is neither a dataset nor a group");
    where_ = h5path;
    const H5T_class_t c = file_.openDataSet(h5path).getTypeClass();
    if (c == H5T_INTEGER) {
      // anndata 0.7 kept a categorical column's names apart.
      const std::string names =
          "/obs/__categories/" + labels.substr(std::string("obs/").size());
      if (object_type(names) != H5O_TYPE_UNKNOWN) {
        categorical(h5path, names, n, out);
        return;
      }
      const std::vector<std::int64_t> values = read_codes(h5path, n);
      out.labels.resize(values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] < 0 ||
            values[i] > std::numeric_limits<std::int32_t>::max())
          fail(h5path, "element " + std::to_string(i) + " is " +
                           std::to_string(values[i]) +
                           ": integer labels must be in [0, 2^31) (-1 "
                           "usually marks a missing value)");
        out.labels[i] = static_cast<std::int32_t>(values[i]);
      }
      return;
    }
    if (c != H5T_STRING)
      fail(h5path, "has " + type_class_name(c) +
                       " values; a label column holds integers, strings or "
                       "categories");
    const std::vector<std::string> names = read_names(h5path);
    if (static_cast<std::int64_t>(names.size()) != n)
      fail(h5path, "has " + std::to_string(names.size()) + " entries, /X has " +
                       std::to_string(n) + " rows");
    // Class ids in sorted order of the distinct names.
    std::map<std::string, std::int32_t> ids;
    for (const auto &s : names)
      ids.emplace(s, 0);
    for (auto &[name, id] : ids) {
      id = static_cast<std::int32_t>(out.class_names.size());
      out.class_names.push_back(name);
    }
    out.labels.reserve(names.size());
    for (const auto &s : names)
      out.labels.push_back(ids.at(s));
  }

  std::string path_;
  H5::H5File file_;
  /// The HDF5 object being read, named when HDF5 itself fails.
  std::string where_ = "/";
};

} // namespace

Dataset read_h5ad(const std::string &path, const std::string &labels) {
  return H5adReader(path).read(labels);
}

} // namespace nebench
