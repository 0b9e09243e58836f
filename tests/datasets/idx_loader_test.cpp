#include "datasets/idx_loader.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace nebench {
namespace {

using testing::Bytes;

using testing::data_error;

// Three 2x2 images with distinct pixels 0..11 (one 255 to check the range).
Bytes three_images() {
  Bytes px;
  for (int i = 0; i < 12; ++i)
    px.push_back(static_cast<unsigned char>(i == 11 ? 255 : i));
  return testing::idx_images(3, 2, 2, px);
}

void expect_three_images(const Matrix &X) {
  ASSERT_EQ(X.rows, 3);
  ASSERT_EQ(X.cols, 4);
  EXPECT_FLOAT_EQ(X(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(X(1, 2), 6.0f); // image 1, pixel (row 1, col 0)
  EXPECT_FLOAT_EQ(X(2, 3), 255.0f);
}

TEST(IdxLoader, ReadsRawAndGzippedImages) {
  testing::TempDir dir;
  testing::write_file(dir.file("raw-images-idx3-ubyte"), three_images());
  testing::write_gzip(dir.file("images-idx3-ubyte.gz"), three_images());
  ImageShape shape;
  expect_three_images(
      read_idx_images(dir.file("raw-images-idx3-ubyte"), &shape));
  EXPECT_EQ(shape, (ImageShape{1, 2, 2})); // grey: one channel
  expect_three_images(read_idx_images(dir.file("images-idx3-ubyte.gz")));
  // Really compressed: the .gz file differs from the raw bytes.
  EXPECT_NE(testing::read_file(dir.file("images-idx3-ubyte.gz")),
            three_images());
}

TEST(IdxLoader, ReadsRawAndGzippedLabels) {
  testing::TempDir dir;
  const Bytes labels = testing::idx_labels({7, 0, 9, 200});
  testing::write_file(dir.file("l"), labels);
  testing::write_gzip(dir.file("l.gz"), labels);
  const std::vector<std::int32_t> expected = {7, 0, 9, 200};
  EXPECT_EQ(read_idx_labels(dir.file("l")), expected);
  EXPECT_EQ(read_idx_labels(dir.file("l.gz")), expected);
}

TEST(IdxLoader, TruncatedFileNamesTheByte) {
  testing::TempDir dir;
  Bytes b = three_images();
  b.resize(26); // header 16 + 10 of 12 pixels
  testing::write_file(dir.file("cut"), b);
  const std::string msg = data_error([&] { read_idx_images(dir.file("cut")); });
  EXPECT_NE(msg.find(dir.file("cut") + ": at byte 26: file ends after 26 of 28 "
                                       "expected bytes"),
            std::string::npos)
      << msg;

  // Cut inside the header.
  b.resize(10);
  testing::write_file(dir.file("cut-header"), b);
  const std::string header_msg =
      data_error([&] { read_idx_images(dir.file("cut-header")); });
  EXPECT_NE(header_msg.find("at byte 10: file ends after 10 of 16"),
            std::string::npos)
      << header_msg;

  // A gzip stream cut in the middle.
  testing::write_gzip(dir.file("full.gz"), three_images());
  Bytes gz = testing::read_file(dir.file("full.gz"));
  gz.resize(gz.size() - 12);
  testing::write_file(dir.file("cut.gz"), gz);
  const std::string gz_msg =
      data_error([&] { read_idx_images(dir.file("cut.gz")); });
  EXPECT_NE(gz_msg.find("at byte"), std::string::npos) << gz_msg;
}

TEST(IdxLoader, WrongMagicIsRefused) {
  testing::TempDir dir;
  testing::write_file(dir.file("labels"), testing::idx_labels({1, 2}));
  EXPECT_NE(data_error([&] { read_idx_images(dir.file("labels")); })
                .find("at byte 0: bad magic number 0x00000801 (expected "
                      "0x00000803 for IDX images"),
            std::string::npos);
  testing::write_file(dir.file("images"), three_images());
  EXPECT_NE(data_error([&] {
              read_idx_labels(dir.file("images"));
            }).find("this is an IDX image file"),
            std::string::npos);
  testing::write_text(dir.file("text"), "hello world, not IDX");
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("text"));
            }).find("not an IDX file"),
            std::string::npos);
}

TEST(IdxLoader, TrailingGarbageIsRefused) {
  testing::TempDir dir;
  Bytes b = three_images();
  b.push_back(42);
  testing::write_file(dir.file("long"), b);
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("long"));
            }).find("at byte 28: unexpected trailing data"),
            std::string::npos);
  Bytes l = testing::idx_labels({1, 2});
  l.push_back(0);
  testing::write_gzip(dir.file("long-labels.gz"), l);
  EXPECT_NE(data_error([&] {
              read_idx_labels(dir.file("long-labels.gz"));
            }).find("at byte 10: unexpected trailing data"),
            std::string::npos);
}

TEST(IdxLoader, AbsurdDimensionsAreRefusedBeforeAllocating) {
  testing::TempDir dir;
  // 2^30 images of 28x28 would need 842 GB; only a header is on disk.
  testing::write_file(dir.file("huge"),
                      testing::idx_images(1u << 30, 28, 28, {}));
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("huge"));
            }).find("1073741824 x 28 x 28 values, more than the 2^31"),
            std::string::npos);
  // Sizes are signed 32-bit in the IDX definition.
  testing::write_file(dir.file("negative"),
                      testing::idx_images(0x80000000u, 1, 1, {}));
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("negative"));
            }).find("at byte 4: dimension 0 is 2147483648"),
            std::string::npos);
  testing::write_file(dir.file("zero"), testing::idx_images(3, 0, 2, {}));
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("zero"));
            }).find("at byte 8: dimension 1 is 0"),
            std::string::npos);
}

TEST(IdxLoader, MissingAndCorruptFiles) {
  testing::TempDir dir;
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("absent.gz"));
            }).find("absent.gz: file not found"),
            std::string::npos);
  // A gzip header followed by garbage deflate data.
  testing::write_gzip(dir.file("ok.gz"), three_images());
  Bytes gz = testing::read_file(dir.file("ok.gz"));
  for (std::size_t i = 12; i < gz.size() - 8; ++i)
    gz[i] = 0xff;
  testing::write_file(dir.file("bad.gz"), gz);
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("bad.gz"));
            }).find("bad.gz: at byte 0: corrupt compressed data"),
            std::string::npos);
  // Intact data, but the gzip trailer (CRC-32, length) is cut off or wrong.
  Bytes no_trailer = testing::read_file(dir.file("ok.gz"));
  no_trailer.resize(no_trailer.size() - 3);
  testing::write_file(dir.file("no-trailer.gz"), no_trailer);
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("no-trailer.gz"));
            }).find("at byte 28: the compressed stream is cut off"),
            std::string::npos);
  Bytes bad_crc = testing::read_file(dir.file("ok.gz"));
  bad_crc[bad_crc.size() - 8] ^= 0x01;
  testing::write_file(dir.file("bad-crc.gz"), bad_crc);
  EXPECT_NE(data_error([&] {
              read_idx_images(dir.file("bad-crc.gz"));
            }).find("corrupt compressed data (incorrect data check)"),
            std::string::npos);
}

TEST(IdxLoader, FashionMnistTrainLabels) {
  const std::string path =
      "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path
                 << " is absent (apt-get install dataset-fashion-mnist)";
  const auto labels = read_idx_labels(path);
  ASSERT_EQ(labels.size(), 60000u);
  std::vector<int> counts(10, 0);
  for (auto l : labels) {
    ASSERT_GE(l, 0);
    ASSERT_LE(l, 9);
    ++counts[static_cast<std::size_t>(l)];
  }
  for (int c = 0; c < 10; ++c)
    EXPECT_EQ(counts[static_cast<std::size_t>(c)], 6000) << "class " << c;
}

} // namespace
} // namespace nebench
