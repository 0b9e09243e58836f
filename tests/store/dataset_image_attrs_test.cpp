// The image shape and pixel_max of /dataset (engine/store/result_file.h):
// written for image datasets, read back, absent for other data and in files
// written before they were recorded.

#include "engine/core/errors.h"
#include "engine/run/problem.h"
#include "engine/store/result_file.h"

#include <H5Cpp.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace nebench {
namespace {

namespace fs = std::filesystem;

/// A file name of this process, so that parallel test runs do not collide.
std::string temp_file(const std::string &name) {
  auto dir = fs::temp_directory_path() /
             ("nebench_dataset_image_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

DatasetRecord record(std::vector<std::int64_t> image_shape = {},
                     double pixel_max = 0) {
  DatasetRecord d;
  d.name = "mnist-10k";
  d.sha256 = "ab";
  d.n = 2;
  d.d = 784;
  d.d_raw = 784;
  d.labels = {3, 5};
  d.indices = {0, 1};
  d.image_shape = std::move(image_shape);
  d.pixel_max = pixel_max;
  return d;
}

void write(const std::string &path, const DatasetRecord &d) {
  auto f = ResultFile::create(path);
  f.write_dataset(d);
  f.close();
}

DatasetRecord read(const std::string &path) {
  return ResultFile::open(path).read_dataset();
}

TEST(DatasetImageAttrs, RoundTrip) {
  const auto path = temp_file("images.h5");
  write(path, record({1, 28, 28}, 255));
  const DatasetRecord d = read(path);
  EXPECT_EQ(d.image_shape, (std::vector<std::int64_t>{1, 28, 28}));
  EXPECT_EQ(d.pixel_max, 255.0);
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{3, 5}));

  // Stored as an int64[3] attribute of /dataset (h5py: an array).
  H5::H5File f(path, H5F_ACC_RDONLY);
  const auto a = f.openGroup("/dataset").openAttribute("image_shape");
  EXPECT_EQ(a.getTypeClass(), H5T_INTEGER);
  EXPECT_EQ(a.getSpace().getSimpleExtentNpoints(), 3);
  fs::remove(path);
}

TEST(DatasetImageAttrs, OtherDataHaveNoImageAttributes) {
  const auto path = temp_file("points.h5");
  write(path, record());
  const DatasetRecord d = read(path);
  EXPECT_TRUE(d.image_shape.empty());
  EXPECT_EQ(d.pixel_max, 0.0);
  H5::H5File f(path, H5F_ACC_RDONLY);
  const auto g = f.openGroup("/dataset");
  EXPECT_FALSE(g.attrExists("image_shape"));
  EXPECT_FALSE(g.attrExists("pixel_max"));
  fs::remove(path);
}

TEST(DatasetImageAttrs, OlderFileWithoutTheAttributesReadsAsNotImages) {
  // An image result written before the shape was recorded: the same file
  // with the two attributes removed, as the old writer left it.
  const auto path = temp_file("old.h5");
  write(path, record({3, 32, 32}, 255));
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    auto g = f.openGroup("/dataset");
    g.removeAttr("image_shape");
    g.removeAttr("pixel_max");
  }
  const DatasetRecord d = read(path);
  EXPECT_TRUE(d.image_shape.empty());
  EXPECT_EQ(d.pixel_max, 0.0);
  EXPECT_EQ(d.name, "mnist-10k");
  fs::remove(path);
}

TEST(DatasetImageAttrs, RewritingWithoutImagesDropsTheAttributes) {
  const auto path = temp_file("rewrite.h5");
  {
    auto f = ResultFile::create(path);
    f.write_dataset(record({1, 28, 28}, 1));
    f.write_dataset(record());
    f.close();
  }
  EXPECT_TRUE(read(path).image_shape.empty());
  EXPECT_EQ(read(path).pixel_max, 0.0);
  fs::remove(path);
}

TEST(DatasetImageAttrs, DamagedAttributesAreDataErrors) {
  const auto path = temp_file("damaged.h5");
  write(path, record({1, 28, 28}, 255));
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.openGroup("/dataset").removeAttr("pixel_max");
  }
  try {
    read(path);
    ADD_FAILURE() << "only image_shape must be an error";
  } catch (const DataError &e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("only one of the attributes"),
              std::string::npos)
        << e.what();
  }
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    auto g = f.openGroup("/dataset");
    g.removeAttr("image_shape");
    const hsize_t two = 2;
    const std::int64_t shape[2] = {28, 28};
    g.createAttribute("image_shape", H5::PredType::NATIVE_INT64,
                      H5::DataSpace(1, &two))
        .write(H5::PredType::NATIVE_INT64, shape);
    const double max = 255;
    g.createAttribute("pixel_max", H5::PredType::NATIVE_DOUBLE,
                      H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_DOUBLE, &max);
  }
  EXPECT_THROW(read(path), DataError);
  fs::remove(path);
}

TEST(DatasetImageAttrs, AnIncompleteImageRecordIsRefused) {
  const auto path = temp_file("refused.h5");
  auto f = ResultFile::create(path);
  EXPECT_THROW(f.write_dataset(record({28, 28}, 255)), NebenchError);
  EXPECT_THROW(f.write_dataset(record({1, 28, 28}, 0)), NebenchError);
  EXPECT_THROW(f.write_dataset(record({}, 255)), NebenchError);
  EXPECT_THROW(f.write_dataset(record({1, 0, 28}, 255)), NebenchError);
  EXPECT_FALSE(f.has_dataset()); // refused before anything was written
  f.close();
  fs::remove(path);
}

TEST(DatasetImageAttrs, PreparedProblemRecordsTheRawImageShape) {
  PreparedProblem p;
  p.dataset.name = "rotated-shapes";
  p.dataset.X = Matrix(2, 3); // after a PCA to 3 dimensions
  p.dataset.image = ImageShape{3, 8, 8};
  p.dataset.pixel_max = 1;
  p.d_raw = 192;
  const DatasetRecord r = p.record(DatasetSpec{});
  EXPECT_EQ(r.image_shape, (std::vector<std::int64_t>{3, 8, 8}));
  EXPECT_EQ(r.pixel_max, 1.0);
  EXPECT_EQ(r.d, 3);
  EXPECT_EQ(r.d_raw, 192);

  p.dataset.image = ImageShape{};
  p.dataset.pixel_max = 0;
  const DatasetRecord points = p.record(DatasetSpec{});
  EXPECT_TRUE(points.image_shape.empty());
  EXPECT_EQ(points.pixel_max, 0.0);
}

} // namespace
} // namespace nebench
