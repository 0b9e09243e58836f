#include "datasets/dataset_cache.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace nebench {
namespace {

using testing::data_error;

Dataset small_dataset() {
  Dataset ds;
  ds.name = "tiny";
  ds.X = Matrix(3, 2);
  ds.X.data = {1.5f, -2.0f, 0.0f, 3.25f, 1e-8f, 7.0f};
  ds.labels = {2, 0, 1};
  ds.class_names = {"T-shirt/top", "Größe", "a \"quoted\" name"};
  ds.sha256 = std::string(64, 'a');
  ds.indices = {4, 10, 11};
  return ds;
}

void expect_same(const Dataset &a, const Dataset &b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.X.rows, b.X.rows);
  EXPECT_EQ(a.X.cols, b.X.cols);
  EXPECT_EQ(a.X.data, b.X.data);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.class_names, b.class_names);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.indices, b.indices);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.pixel_max, b.pixel_max);
}

TEST(DatasetCache, RoundTripIsExact) {
  testing::TempDir dir;
  const std::string path = dir.file("sub/folder/tiny.h5");
  write_dataset_h5(path, small_dataset());
  expect_same(read_dataset_h5(path), small_dataset());
  EXPECT_EQ(read_dataset_h5_digest(path), std::string(64, 'a'));
  // Nothing but the file is left behind (the temporary was renamed).
  int files = 0;
  for (const auto &e :
       std::filesystem::directory_iterator(dir.file("sub/folder"))) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(DatasetCache, OverwritesAndKeepsUnlabelledData) {
  testing::TempDir dir;
  const std::string path = dir.file("d.h5");
  write_dataset_h5(path, small_dataset());
  Dataset unlabelled = small_dataset();
  unlabelled.labels.clear();
  unlabelled.class_names.clear();
  unlabelled.indices.clear(); // written as the identity
  write_dataset_h5(path, unlabelled);
  const Dataset back = read_dataset_h5(path);
  EXPECT_TRUE(back.labels.empty());
  EXPECT_TRUE(back.class_names.empty());
  EXPECT_EQ(back.indices, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(back.X.data, unlabelled.X.data);
}

TEST(DatasetCache, RefusesInconsistentDatasets) {
  testing::TempDir dir;
  Dataset bad = small_dataset();
  bad.labels.pop_back();
  EXPECT_NE(data_error([&] {
              write_dataset_h5(dir.file("x.h5"), bad);
            }).find("2 labels for 3 rows"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));
}

/// Writes an HDF5 file by hand with the given datasets.
void write_raw(const std::string &path, bool with_x, bool with_labels,
               hsize_t label_count, int x_rank = 2) {
  H5::H5File f(path, H5F_ACC_TRUNC);
  if (with_x) {
    const hsize_t dims[2] = {3, 2};
    const float x[6] = {0, 1, 2, 3, 4, 5};
    H5::DataSet ds = f.createDataSet("X", H5::PredType::NATIVE_FLOAT,
                                     H5::DataSpace(x_rank, dims));
    ds.write(x, H5::PredType::NATIVE_FLOAT);
  }
  if (with_labels) {
    const std::int32_t l[5] = {0, 1, 2, 3, 4};
    H5::DataSet ds = f.createDataSet("labels", H5::PredType::NATIVE_INT32,
                                     H5::DataSpace(1, &label_count));
    ds.write(l, H5::PredType::NATIVE_INT32);
  }
}

TEST(DatasetCache, MissingOrMisshapenDatasetsAreDataErrors) {
  testing::TempDir dir;
  write_raw(dir.file("nolabels.h5"), true, false, 0);
  EXPECT_EQ(data_error([&] { read_dataset_h5(dir.file("nolabels.h5")); }),
            dir.file("nolabels.h5") + ": missing dataset /labels");
  write_raw(dir.file("nox.h5"), false, true, 3);
  EXPECT_EQ(data_error([&] { read_dataset_h5(dir.file("nox.h5")); }),
            dir.file("nox.h5") + ": missing dataset /X");
  write_raw(dir.file("short.h5"), true, true, 5);
  EXPECT_NE(data_error([&] {
              read_dataset_h5(dir.file("short.h5"));
            }).find("dataset /labels has 5 entries, /X has 3 rows"),
            std::string::npos);
  write_raw(dir.file("rank1.h5"), true, true, 3, 1);
  EXPECT_NE(data_error([&] {
              read_dataset_h5(dir.file("rank1.h5"));
            }).find("dataset /X has rank 1, expected 2"),
            std::string::npos);
  // All datasets present but no attributes.
  write_raw(dir.file("noattr.h5"), true, true, 3);
  EXPECT_NE(data_error([&] {
              read_dataset_h5(dir.file("noattr.h5"));
            }).find("missing attribute \"name\""),
            std::string::npos);
  EXPECT_EQ(read_dataset_h5_digest(dir.file("noattr.h5")), "");

  // AnnData's sparse X is a group, not a dataset.
  {
    H5::H5File f(dir.file("group.h5"), H5F_ACC_TRUNC);
    f.createGroup("X");
  }
  EXPECT_EQ(data_error([&] { read_dataset_h5(dir.file("group.h5")); }),
            dir.file("group.h5") +
                ": /X is not a dataset (a group? nebench reads a dense /X)");

  testing::write_text(dir.file("text.h5"), "plain text");
  EXPECT_EQ(data_error([&] { read_dataset_h5(dir.file("text.h5")); }),
            dir.file("text.h5") + ": not an HDF5 file");
  EXPECT_NE(data_error([&] {
              read_dataset_h5(dir.file("absent.h5"));
            }).find("file not found"),
            std::string::npos);
  EXPECT_EQ(read_dataset_h5_digest(dir.file("absent.h5")), "");
  EXPECT_EQ(read_dataset_h5_digest(dir.file("text.h5")), "");
}

// fuzz/h5_fuzzer: a small file can declare any extent (HDF5 allocates
// storage late); the reader refuses, by size or as unwritten, instead of
// allocating for the declared size (a bad_alloc before).
TEST(DatasetCache, RefusesHugeOrUnwrittenExtents) {
  testing::TempDir dir;
  const std::string huge = dir.file("huge.h5"), unwritten = dir.file("x.h5");
  {
    // Chunked, one chunk written: partly stored, 2^60 values declared.
    H5::H5File file(huge, H5F_ACC_TRUNC);
    const hsize_t dims[2] = {hsize_t(1) << 40, hsize_t(1) << 20};
    const hsize_t chunk[2] = {1, 1};
    H5::DSetCreatPropList plist;
    plist.setChunk(2, chunk);
    H5::DataSpace space(2, dims);
    H5::DataSet x =
        file.createDataSet("X", H5::PredType::NATIVE_FLOAT, space, plist);
    const hsize_t start[2] = {0, 0}, one[2] = {1, 1};
    space.selectHyperslab(H5S_SELECT_SET, one, start);
    const float value = 1;
    x.write(&value, H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, one), space);
  }
  EXPECT_LT(std::filesystem::file_size(huge), 100000u);
  EXPECT_EQ(data_error([&] { read_dataset_h5(huge); }),
            huge + ": dataset /X declares 1099511627776 x 1048576 values, "
                   "more than the 2^31 accepted");
  {
    H5::H5File file(unwritten, H5F_ACC_TRUNC);
    const hsize_t dims[2] = {3, 2};
    file.createDataSet("X", H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, dims));
  }
  EXPECT_EQ(data_error([&] { read_dataset_h5(unwritten); }),
            unwritten + ": dataset /X declares 6 values but stores none "
                        "(never written)");
  const std::string no_columns = dir.file("rows.h5");
  {
    // 2^31 rows of nothing: no values to store, but as many indices.
    H5::H5File file(no_columns, H5F_ACC_TRUNC);
    const hsize_t dims[2] = {hsize_t(1) << 31, 0};
    file.createDataSet("X", H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, dims));
  }
  EXPECT_EQ(data_error([&] { read_dataset_h5(no_columns); }),
            no_columns + ": dataset /X declares 2147483648 rows of 0 columns");
}

// fuzz/h5_fuzzer: attributes that should hold one value but hold an array
// were read into one variable, past its end (a stack overflow under ASan).
TEST(DatasetCache, RefusesArrayAttributes) {
  testing::TempDir dir;
  const std::string path = dir.file("array_attr.h5");
  Dataset image = small_dataset(); // 3 x 2: images of 1 x 1 x 2
  image.image = ImageShape{1, 1, 2};
  image.pixel_max = 255;
  const auto replace_with_array = [&](const char *name) {
    write_dataset_h5(path, image);
    H5::H5File file(path, H5F_ACC_RDWR);
    if (file.attrExists(name))
      file.removeAttr(name);
    const hsize_t four = 4;
    const std::int32_t values[4] = {1, 1, 1, 1};
    file.createAttribute(name, H5::PredType::NATIVE_INT32,
                         H5::DataSpace(1, &four))
        .write(H5::PredType::NATIVE_INT32, values);
  };
  replace_with_array("cache_version");
  EXPECT_EQ(data_error([&] { read_dataset_h5(path); }),
            path + ": attribute cache_version must be one integer");
  EXPECT_EQ(read_dataset_h5_digest(path), "");
  replace_with_array("pixel_max");
  EXPECT_NE(data_error([&] { read_dataset_h5(path); }).find("pixel_max"),
            std::string::npos);
}

TEST(DatasetCache, KeepsTheImageShape) {
  testing::TempDir dir;
  Dataset img = small_dataset();
  img.image = ImageShape{2, 1, 1}; // 2 channels of 1 x 1: rows of 2 values
  img.pixel_max = 255;
  write_dataset_h5(dir.file("img.h5"), img);
  const Dataset back = read_dataset_h5(dir.file("img.h5"));
  EXPECT_EQ(back.image, (ImageShape{2, 1, 1}));
  EXPECT_EQ(back.pixel_max, 255);
  expect_same(back, img);

  // A shape that does not fit the rows is refused on writing ...
  Dataset bad = img;
  bad.image = ImageShape{1, 2, 2};
  EXPECT_NE(data_error([&] {
              write_dataset_h5(dir.file("bad.h5"), bad);
            }).find("refusing to write: image shape 1x2x2 with pixel_max"),
            std::string::npos);
  bad = img;
  bad.pixel_max = 0;
  EXPECT_NE(data_error([&] {
              write_dataset_h5(dir.file("bad.h5"), bad);
            }).find("refusing to write"),
            std::string::npos);

  // ... and on reading (a file written by someone else).
  {
    H5::H5File f(dir.file("img.h5"), H5F_ACC_RDWR);
    f.removeAttr("image_shape");
    const hsize_t three = 3;
    const std::int32_t shape[3] = {3, 32, 32};
    f.createAttribute("image_shape", H5::PredType::NATIVE_INT32,
                      H5::DataSpace(1, &three))
        .write(H5::PredType::NATIVE_INT32, shape);
  }
  EXPECT_NE(data_error([&] { read_dataset_h5(dir.file("img.h5")); })
                .find("image_shape 3x32x32 holds 3072 values per image, /X "
                      "has 2 columns"),
            std::string::npos);
  {
    H5::H5File f(dir.file("img.h5"), H5F_ACC_RDWR);
    f.removeAttr("image_shape");
  }
  EXPECT_NE(data_error([&] { read_dataset_h5(dir.file("img.h5")); })
                .find("has only one of the attributes image_shape and "
                      "pixel_max"),
            std::string::npos);
}

TEST(DatasetCache, OldCachesWithoutImageShapeStillLoad) {
  testing::TempDir dir;
  // A cache as written before datasets had an image shape: no image_shape
  // and pixel_max attributes (same layout otherwise, cache_version 1).
  write_dataset_h5(dir.file("old.h5"), small_dataset());
  {
    H5::H5File f(dir.file("old.h5"), H5F_ACC_RDONLY);
    EXPECT_FALSE(f.attrExists("image_shape"));
    EXPECT_FALSE(f.attrExists("pixel_max"));
  }
  const Dataset back = read_dataset_h5(dir.file("old.h5"));
  EXPECT_TRUE(back.image.empty());
  EXPECT_EQ(back.pixel_max, 0);
  EXPECT_EQ(read_dataset_h5_digest(dir.file("old.h5")), std::string(64, 'a'));
}

} // namespace
} // namespace nebench
