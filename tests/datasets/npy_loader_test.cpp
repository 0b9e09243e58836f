#include "datasets/npy_loader.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace nebench {
namespace {

using testing::Bytes;

using testing::data_error;

/// A .npy file as numpy.save writes it (header padded to 64 bytes).
Bytes npy(const std::string &descr, bool fortran, const std::string &shape,
          const Bytes &data, int major = 1) {
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  const std::size_t preamble = major == 1 ? 10 : 12;
  while ((preamble + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major),
             0};
  const auto len = static_cast<std::uint32_t>(header.size());
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
    b.push_back(static_cast<unsigned char>(len >> (8 * i)));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

template <class T> Bytes le(const std::vector<T> &values) {
  Bytes b(values.size() * sizeof(T));
  std::memcpy(b.data(), values.data(), b.size()); // x86: little-endian
  return b;
}

TEST(NpyLoader, ReadsFloat32RowMajor) {
  testing::TempDir dir;
  testing::write_file(dir.file("x.npy"), npy("<f4", false, "(2, 3)",
                                             le<float>({1, 2, 3, 4, 5, 6.5f})));
  const Matrix X = read_npy_matrix(dir.file("x.npy"));
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 3);
  EXPECT_FLOAT_EQ(X(0, 2), 3);
  EXPECT_FLOAT_EQ(X(1, 0), 4);
  EXPECT_FLOAT_EQ(X(1, 2), 6.5f);
}

TEST(NpyLoader, ReadsFortranOrderFloat64AndVersion2) {
  testing::TempDir dir;
  // Column-major storage of [[1, 2, 3], [4, 5, 6]].
  testing::write_file(
      dir.file("f.npy"),
      npy("<f8", true, "(2, 3)", le<double>({1, 4, 2, 5, 3, 6}), 2));
  const Matrix X = read_npy_matrix(dir.file("f.npy"));
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 3);
  EXPECT_FLOAT_EQ(X(0, 1), 2);
  EXPECT_FLOAT_EQ(X(1, 0), 4);
  EXPECT_FLOAT_EQ(X(1, 2), 6);
}

TEST(NpyLoader, FlattensImagesAndReadsBytes) {
  testing::TempDir dir;
  testing::write_file(dir.file("img.npy"), npy("|u1", false, "(2, 2, 2)",
                                               {0, 1, 2, 3, 4, 5, 6, 255}));
  const Matrix X = read_npy_matrix(dir.file("img.npy"));
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 4);
  EXPECT_FLOAT_EQ(X(1, 3), 255);
}

TEST(NpyLoader, ReadsLabelsOfIntegerTypes) {
  testing::TempDir dir;
  testing::write_file(dir.file("l8.npy"),
                      npy("<i8", false, "(3,)", le<std::int64_t>({2, -1, 7})));
  EXPECT_EQ(read_npy_labels(dir.file("l8.npy")),
            (std::vector<std::int32_t>{2, -1, 7}));
  // Big-endian int32: 0x00000102 = 258.
  testing::write_file(
      dir.file("be.npy"),
      npy(">i4", false, "(2,)", {0, 0, 1, 2, 0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(read_npy_labels(dir.file("be.npy")),
            (std::vector<std::int32_t>{258, -2}));
  // Whole-number floats are labels too; n x 1 is accepted.
  testing::write_file(dir.file("lf.npy"),
                      npy("<f8", false, "(2, 1)", le<double>({3, 0})));
  EXPECT_EQ(read_npy_labels(dir.file("lf.npy")),
            (std::vector<std::int32_t>{3, 0}));
}

TEST(NpyLoader, RefusesBadFiles) {
  testing::TempDir dir;
  testing::write_file(dir.file("frac.npy"),
                      npy("<f8", false, "(2,)", le<double>({1, 1.5})));
  EXPECT_NE(data_error([&] {
              read_npy_labels(dir.file("frac.npy"));
            }).find("label 1 is not an int32 integer"),
            std::string::npos);
  testing::write_file(dir.file("2d.npy"), npy("<i4", false, "(2, 2)",
                                              le<std::int32_t>({1, 2, 3, 4})));
  EXPECT_NE(data_error([&] {
              read_npy_labels(dir.file("2d.npy"));
            }).find("labels must be a 1-D array"),
            std::string::npos);
  // Truncated: 6 floats declared, 5 present; the data starts at byte 128.
  Bytes cut = npy("<f4", false, "(2, 3)", le<float>({1, 2, 3, 4, 5, 6}));
  cut.resize(cut.size() - 4);
  testing::write_file(dir.file("cut.npy"), cut);
  EXPECT_NE(data_error([&] {
              read_npy_matrix(dir.file("cut.npy"));
            }).find("at byte 148: file ends after 148 of 152 expected bytes"),
            std::string::npos);
  Bytes extra = npy("<f4", false, "(1,)", le<float>({1}));
  extra.push_back(0);
  testing::write_file(dir.file("extra.npy"), extra);
  EXPECT_NE(data_error([&] {
              read_npy_matrix(dir.file("extra.npy"));
            }).find("at byte 132: unexpected trailing data"),
            std::string::npos);
  testing::write_file(dir.file("obj.npy"), npy("|O", false, "(1,)", {0}));
  EXPECT_NE(data_error([&] {
              read_npy_matrix(dir.file("obj.npy"));
            }).find("unsupported dtype '|O'"),
            std::string::npos);
  testing::write_file(dir.file("nan.npy"),
                      npy("<f4", false, "(1, 2)", le<float>({1, NAN})));
  EXPECT_NE(data_error([&] {
              read_npy_matrix(dir.file("nan.npy"));
            }).find("row 0, column 1 is not finite"),
            std::string::npos);
  testing::write_file(dir.file("huge.npy"),
                      npy("<f4", false, "(100000, 100000)", {}));
  EXPECT_NE(data_error([&] {
              read_npy_matrix(dir.file("huge.npy"));
            }).find("more than 2^31 values"),
            std::string::npos);
  testing::write_text(dir.file("text.npy"), "not numpy at all");
  EXPECT_NE(data_error([&] {
              read_npy_matrix(dir.file("text.npy"));
            }).find("at byte 0: not a .npy file"),
            std::string::npos);
}

} // namespace
} // namespace nebench
