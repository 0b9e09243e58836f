#include "datasets/dataset_spec.h"
#include "datasets/h5ad_loader.h"
#include "datasets/registry.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <functional>
#include <nlohmann/json.hpp>

namespace nebench {
namespace {

using testing::data_error;

/// Writes the small AnnData files of the tests with the HDF5 C API, laid
/// out as anndata writes them (groups, datasets, string attributes).
class H5Writer {
public:
  explicit H5Writer(const std::string &path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file_ < 0)
      throw std::runtime_error("cannot create " + path);
  }
  ~H5Writer() { H5Fclose(file_); }
  H5Writer(const H5Writer &) = delete;
  H5Writer &operator=(const H5Writer &) = delete;

  void group(const std::string &path) {
    H5Gclose(
        H5Gcreate2(file_, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  }

  /// A dataset of `type` (file and memory) holding `values`, of extent
  /// `dims` (default: 1-D of values.size()).
  template <class T>
  void dataset(const std::string &path, hid_t type,
               const std::vector<T> &values, std::vector<hsize_t> dims = {}) {
    if (dims.empty())
      dims = {values.size()};
    const hid_t space =
        H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t set = H5Dcreate2(file_, path.c_str(), type, space, H5P_DEFAULT,
                                 H5P_DEFAULT, H5P_DEFAULT);
    if (!values.empty())
      H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(set);
    H5Sclose(space);
  }

  /// Variable-length UTF-8 strings (anndata's string arrays), or fixed
  /// length ones of `fixed` bytes.
  void strings(const std::string &path, const std::vector<std::string> &values,
               std::size_t fixed = 0) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, fixed ? fixed : H5T_VARIABLE);
    H5Tset_cset(type, fixed ? H5T_CSET_ASCII : H5T_CSET_UTF8);
    const hsize_t n = values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t set = H5Dcreate2(file_, path.c_str(), type, space, H5P_DEFAULT,
                                 H5P_DEFAULT, H5P_DEFAULT);
    if (fixed) {
      std::vector<char> buf(values.size() * fixed, '\0');
      for (std::size_t i = 0; i < values.size(); ++i)
        values[i].copy(buf.data() + i * fixed, fixed);
      H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    } else {
      std::vector<const char *> ptrs;
      for (const auto &v : values)
        ptrs.push_back(v.c_str());
      H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
    }
    H5Dclose(set);
    H5Sclose(space);
    H5Tclose(type);
  }

  void string_attr(const std::string &object, const std::string &name,
                   const std::string &value) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a =
        H5Acreate_by_name(file_, object.c_str(), name.c_str(), type, space,
                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *p = value.c_str();
    H5Awrite(a, type, &p);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
  }

  void int_attr(const std::string &object, const std::string &name,
                const std::vector<std::int64_t> &values) {
    const hsize_t n = values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t a =
        H5Acreate_by_name(file_, object.c_str(), name.c_str(), H5T_NATIVE_INT64,
                          space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, values.data());
    H5Aclose(a);
    H5Sclose(space);
  }

private:
  hid_t file_ = -1;
};

// The matrix of the tests, 4 cells x 3 genes:
//   1 0 2
//   0 0 3
//   4 5 0
//   0 6 0
const std::vector<float> kDense = {1, 0, 2, 0, 0, 3, 4, 5, 0, 0, 6, 0};

void dense_x(H5Writer &w) { w.dataset("X", H5T_NATIVE_FLOAT, kDense, {4, 3}); }

struct Sparse {
  std::vector<float> data;
  std::vector<std::int32_t> indices;
  std::vector<std::int64_t> indptr;
};

Sparse csr() {
  return {{1, 2, 3, 4, 5, 6}, {0, 2, 2, 0, 1, 1}, {0, 2, 3, 5, 6}};
}

/// X as anndata >= 0.8 writes a csr_matrix (or h5sparse's older layout).
void sparse_x(H5Writer &w, const Sparse &s, bool h5sparse = false,
              const std::string &format = "csr",
              std::vector<std::int64_t> shape = {4, 3}) {
  w.group("X");
  if (h5sparse) {
    w.string_attr("X", "h5sparse_format", format);
    w.int_attr("X", "h5sparse_shape", shape);
  } else {
    w.string_attr("X", "encoding-type", format + "_matrix");
    w.string_attr("X", "encoding-version", "0.1.0");
    w.int_attr("X", "shape", shape);
  }
  w.dataset("X/data", H5T_NATIVE_FLOAT, s.data);
  w.dataset("X/indices", H5T_NATIVE_INT32, s.indices);
  w.dataset("X/indptr", H5T_NATIVE_INT64, s.indptr);
}

/// obs/cell_type as anndata >= 0.8 writes a categorical column.
void categorical_obs(H5Writer &w, const std::vector<std::int8_t> &codes) {
  w.group("obs");
  w.string_attr("obs", "encoding-type", "dataframe");
  w.strings("obs/_index", {"c0", "c1", "c2", "c3"});
  w.group("obs/cell_type");
  w.string_attr("obs/cell_type", "encoding-type", "categorical");
  w.strings("obs/cell_type/categories", {"B", "T", "NK"});
  w.dataset("obs/cell_type/codes", H5T_NATIVE_INT8, codes);
}

void expect_dense(const Matrix &X) {
  ASSERT_EQ(X.rows, 4);
  ASSERT_EQ(X.cols, 3);
  EXPECT_EQ(X.data, kDense);
}

TEST(H5adLoader, ReadsADenseXWithoutLabels) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("a.h5ad"));
    dense_x(w);
  }
  const Dataset ds = read_h5ad(dir.file("a.h5ad"));
  expect_dense(ds.X);
  EXPECT_TRUE(ds.labels.empty());
  EXPECT_EQ(ds.indices, (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(H5adLoader, ReadsIntegerAndDoubleDenseX) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("i.h5ad"));
    std::vector<std::int32_t> ints(kDense.begin(), kDense.end());
    w.dataset("X", H5T_NATIVE_INT32, ints, {4, 3});
  }
  expect_dense(read_h5ad(dir.file("i.h5ad")).X);
  {
    H5Writer w(dir.file("d.h5ad"));
    std::vector<double> doubles(kDense.begin(), kDense.end());
    w.dataset("X", H5T_NATIVE_DOUBLE, doubles, {4, 3});
  }
  expect_dense(read_h5ad(dir.file("d.h5ad")).X);
}

TEST(H5adLoader, CsrXEqualsTheDenseOne) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("csr.h5ad"));
    sparse_x(w, csr());
  }
  expect_dense(read_h5ad(dir.file("csr.h5ad")).X);
  {
    H5Writer w(dir.file("old.h5ad"));
    sparse_x(w, csr(), true);
  }
  expect_dense(read_h5ad(dir.file("old.h5ad")).X);
}

TEST(H5adLoader, CscXIsTransposedOnTheWay) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("csc.h5ad"));
    sparse_x(w, {{1, 4, 5, 6, 2, 3}, {0, 2, 2, 3, 0, 1}, {0, 2, 4, 6}}, false,
             "csc");
  }
  expect_dense(read_h5ad(dir.file("csc.h5ad")).X);
}

TEST(H5adLoader, DuplicateSparseEntriesAddUp) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("dup.h5ad"));
    sparse_x(w, {{1, 2}, {1, 1}, {0, 2}}, false, "csr", {1, 2});
  }
  const Matrix X = read_h5ad(dir.file("dup.h5ad")).X;
  EXPECT_EQ(X.data, (std::vector<float>{0, 3}));
}

TEST(H5adLoader, CategoricalLabelsOfAnndata08) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("c.h5ad"));
    sparse_x(w, csr());
    categorical_obs(w, {1, 0, 2, 1});
  }
  const Dataset ds = read_h5ad(dir.file("c.h5ad"), "obs/cell_type");
  expect_dense(ds.X);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{1, 0, 2, 1}));
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"B", "T", "NK"}));
}

TEST(H5adLoader, CategoricalLabelsOfAnndata07) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("c.h5ad"));
    dense_x(w);
    w.group("obs");
    w.group("obs/__categories");
    w.strings("obs/__categories/louvain", {"alpha", "beta"}, 8);
    w.dataset("obs/louvain", H5T_NATIVE_INT16,
              std::vector<std::int16_t>{1, 1, 0, 1});
  }
  const Dataset ds = read_h5ad(dir.file("c.h5ad"), "obs/louvain");
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{1, 1, 0, 1}));
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"alpha", "beta"}));
}

TEST(H5adLoader, PlainStringAndIntegerColumns) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("p.h5ad"));
    dense_x(w);
    w.group("obs");
    w.strings("obs/tissue", {"lung", "blood", "lung", "brain"});
    w.dataset("obs/cluster", H5T_NATIVE_INT64,
              std::vector<std::int64_t>{3, 1, 0, 3});
    w.dataset("obs/n_genes", H5T_NATIVE_DOUBLE,
              std::vector<double>{1, 2, 3, 4});
  }
  const std::string file = dir.file("p.h5ad");
  const Dataset s = read_h5ad(file, "obs/tissue");
  EXPECT_EQ(s.labels, (std::vector<std::int32_t>{2, 0, 2, 1}));
  EXPECT_EQ(s.class_names,
            (std::vector<std::string>{"blood", "brain", "lung"}));
  const Dataset i = read_h5ad(file, "obs/cluster");
  EXPECT_EQ(i.labels, (std::vector<std::int32_t>{3, 1, 0, 3}));
  EXPECT_TRUE(i.class_names.empty());
  EXPECT_EQ(data_error([&] { read_h5ad(file, "obs/n_genes"); }),
            file + ": /obs/n_genes: has float values; a label column holds "
                   "integers, strings or categories");
  EXPECT_EQ(data_error([&] { read_h5ad(file, "obs/cell_type"); }),
            file + ": /obs/cell_type: missing (obs columns: cluster, "
                   "n_genes, tissue)");
}

TEST(H5adLoader, RefusesMissingValuesAndBadCodes) {
  testing::TempDir dir;
  const std::string file = dir.file("m.h5ad");
  {
    H5Writer w(file);
    dense_x(w);
    categorical_obs(w, {1, 0, -1, 1});
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file, "obs/cell_type"); }),
            file + ": /obs/cell_type/codes: element 2 is -1: row 2 has no "
                   "category (a missing value); drop or fill the unlabelled "
                   "cells first");
  {
    H5Writer w(file);
    dense_x(w);
    categorical_obs(w, {1, 0, 3, 1});
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file, "obs/cell_type"); }),
            file + ": /obs/cell_type/codes: element 2 is 3, outside [0, 3) "
                   "(the categories in /obs/cell_type/categories)");
  {
    H5Writer w(file);
    dense_x(w);
    categorical_obs(w, {1, 0, 1});
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file, "obs/cell_type"); }),
            file + ": /obs/cell_type/codes: has 3 entries, /X has 4 rows");
  {
    H5Writer w(file);
    dense_x(w);
    w.group("obs");
    w.dataset("obs/cluster", H5T_NATIVE_INT32,
              std::vector<std::int32_t>{0, -1, 0, 0});
  }
  EXPECT_NE(data_error([&] {
              read_h5ad(file, "obs/cluster");
            }).find("/obs/cluster: element 1 is -1"),
            std::string::npos);
  {
    H5Writer w(file);
    dense_x(w);
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file, "obs/cell_type"); }),
            file + ": /obs: missing (the file has no cell annotations to take "
                   "obs/cell_type from)");
}

TEST(H5adLoader, ValidatesIndptr) {
  testing::TempDir dir;
  const std::string file = dir.file("s.h5ad");
  const auto error = [&](const Sparse &s) {
    {
      H5Writer w(file);
      sparse_x(w, s);
    }
    return data_error([&] { read_h5ad(file); });
  };
  Sparse s = csr();
  s.indptr = {1, 2, 3, 5, 6};
  EXPECT_EQ(error(s), file + ": /X/indptr: element 0 is 1, must be 0");
  s.indptr = {0, 3, 2, 5, 6};
  EXPECT_EQ(error(s), file + ": /X/indptr: element 2 (2) is less than element "
                             "1 (3): indptr must not decrease");
  s.indptr = {0, 2, 3, 5, 5};
  EXPECT_EQ(error(s), file + ": /X/indptr: element 4 (the last) is 5, must "
                             "equal the 6 stored values of /X/data");
  s.indptr = {0, 2, 3, 6};
  EXPECT_EQ(error(s), file + ": /X/indptr: has 4 entries, expected 5 (one per "
                             "row of shape (4, 3), plus one)");
}

TEST(H5adLoader, ValidatesIndicesAndData) {
  testing::TempDir dir;
  const std::string file = dir.file("s.h5ad");
  const auto error = [&](const Sparse &s) {
    {
      H5Writer w(file);
      sparse_x(w, s);
    }
    return data_error([&] { read_h5ad(file); });
  };
  Sparse s = csr();
  s.indices[4] = 3;
  EXPECT_EQ(error(s), file + ": /X/indices: element 4 is 3, outside [0, 3) "
                             "(the columns of shape (4, 3))");
  s.indices[4] = -1;
  EXPECT_NE(error(s).find("/X/indices: element 4 is -1"), std::string::npos);
  s = csr();
  s.indices.pop_back();
  EXPECT_EQ(error(s), file + ": /X/indices: has 5 entries, /X/data 6");
  s = csr();
  s.data[5] = std::nanf("");
  EXPECT_EQ(error(s), file + ": /X/data: element 5 is not finite");
}

TEST(H5adLoader, RefusesAnXTooLargeToDensify) {
  testing::TempDir dir;
  const std::string file = dir.file("big.h5ad");
  {
    H5Writer w(file);
    sparse_x(w, {{1}, {0}, {0, 1}}, false, "csr", {1, 3000000000});
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file); }),
            file + ": /X: densifying 1 x 3000000000 values needs 11.2 GiB as "
                   "float32, more than the 8.0 GiB nebench accepts; select "
                   "cells or genes (e.g. highly variable genes) first");
}

TEST(H5adLoader, RefusesBadDenseX) {
  testing::TempDir dir;
  const std::string file = dir.file("x.h5ad");
  {
    H5Writer w(file);
    w.dataset("X", H5T_NATIVE_FLOAT, std::vector<float>{1, 2, 3});
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file); }),
            file + ": /X: has rank 1, expected 2");
  {
    H5Writer w(file);
    std::vector<float> x = kDense;
    x[7] = INFINITY;
    w.dataset("X", H5T_NATIVE_FLOAT, x, {4, 3});
  }
  EXPECT_EQ(data_error([&] { read_h5ad(file); }),
            file + ": /X: row 2, column 1 is not finite");
  {
    H5Writer w(file);
    w.group("obs");
  }
  EXPECT_NE(data_error([&] { read_h5ad(file); }).find("/X: missing"),
            std::string::npos);
  {
    H5Writer w(file);
    w.group("X");
    w.string_attr("X", "encoding-type", "awkward-array");
  }
  EXPECT_NE(data_error([&] {
              read_h5ad(file);
            }).find("/X: is a group of encoding-type \"awkward-array\""),
            std::string::npos);
  {
    // Declared 2^30 x 2 but never written: refused before allocating.
    H5Writer w(file);
    w.dataset("X", H5T_NATIVE_FLOAT, std::vector<float>{},
              {hsize_t(1) << 30, 2});
  }
  EXPECT_NE(data_error([&] {
              read_h5ad(file);
            }).find("/X: declares 2147483648 values but stores none"),
            std::string::npos);
}

TEST(H5adLoader, RefusesFilesThatAreNotHdf5OrTruncated) {
  testing::TempDir dir;
  testing::write_text(dir.file("t.h5ad"), "cell,gene\n1,2\n");
  EXPECT_EQ(data_error([&] { read_h5ad(dir.file("t.h5ad")); }),
            dir.file("t.h5ad") + ": not an HDF5 file (an .h5ad file is HDF5, "
                                 "as anndata's write_h5ad writes it)");
  {
    H5Writer w(dir.file("full.h5ad"));
    sparse_x(w, csr());
    categorical_obs(w, {1, 0, 2, 1});
  }
  testing::Bytes bytes = testing::read_file(dir.file("full.h5ad"));
  bytes.resize(bytes.size() / 2);
  testing::write_file(dir.file("cut.h5ad"), bytes);
  const std::string message =
      data_error([&] { read_h5ad(dir.file("cut.h5ad"), "obs/cell_type"); });
  EXPECT_EQ(message.rfind(dir.file("cut.h5ad") + ": /", 0), 0u) << message;
  EXPECT_NE(message.find("the file is truncated or corrupt"), std::string::npos)
      << message;
  EXPECT_NE(data_error([&] {
              read_h5ad(dir.file("none.h5ad"));
            }).find("file not found"),
            std::string::npos);
}

TEST(H5adLoader, LabelsOfASpecAreAnObsColumn) {
  const auto spec = [](const std::string &text) {
    const nlohmann::json j = nlohmann::json::parse(text);
    const SpecNode root(j, "s.json");
    return DatasetSpec::from_spec(root.child("dataset"), "/specs");
  };
  const DatasetSpec s =
      spec(R"({"dataset": {"path": "cells.h5ad", "labels": "obs/cell_type"}})");
  EXPECT_EQ(s.format, "h5ad");
  EXPECT_EQ(s.path, "/specs/cells.h5ad");
  EXPECT_EQ(s.labels_path, "obs/cell_type"); // not resolved as a file
  const auto error = [&](const std::string &text) {
    try {
      spec(text);
    } catch (const SpecError &e) {
      return std::string(e.what());
    }
    return std::string("(no SpecError)");
  };
  EXPECT_EQ(
      error(R"({"dataset": {"path": "cells.h5ad", "labels": "cell_type"}})"),
      "s.json: dataset.labels: with format h5ad, names a column of obs "
      "inside the file, e.g. \"obs/cell_type\", got \"cell_type\"");
  EXPECT_NE(error(R"({"dataset": {"path": "c.h5", "format": "h5ad",
                       "labels": "obs/"}})")
                .find("dataset.labels: with format h5ad"),
            std::string::npos);
}

TEST(H5adLoader, LoadsThroughASpec) {
  testing::TempDir dir;
  {
    H5Writer w(dir.file("cells.h5ad"));
    sparse_x(w, csr());
    categorical_obs(w, {1, 0, 2, 1});
  }
  const nlohmann::json j = nlohmann::json::parse(
      R"({"dataset": {"path": "cells.h5ad", "labels": "obs/cell_type"}})");
  const SpecNode root(j, "s.json");
  const DatasetSpec spec =
      DatasetSpec::from_spec(root.child("dataset"), dir.path());
  const Dataset ds = load_dataset(spec, dir.path());
  EXPECT_EQ(ds.name, "cells.h5ad");
  expect_dense(ds.X);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{1, 0, 2, 1}));
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"B", "T", "NK"}));
  EXPECT_EQ(ds.sha256.size(), 64u);
}

} // namespace
} // namespace nebench
