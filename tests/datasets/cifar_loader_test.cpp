#include "datasets/cifar_loader.h"
#include "datasets/sha256.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <set>

namespace nebench {
namespace {

using testing::Bytes;

using testing::data_error;

/// Pixel j (0..3071: R plane, G plane, B plane) of image `id`.
unsigned char pixel(int id, int j) {
  return static_cast<unsigned char>((id * 31 + j * 7) % 256);
}

/// CIFAR records: label byte(s) then 3072 pixel bytes.
Bytes records(const std::vector<std::vector<unsigned char>> &labels,
              int first_id) {
  Bytes b;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    b.insert(b.end(), labels[r].begin(), labels[r].end());
    for (int j = 0; j < 3072; ++j)
      b.push_back(pixel(first_id + static_cast<int>(r), j));
  }
  return b;
}

/// A cifar-10-batches-bin folder: one image per batch file, image id = file
/// index, label = 9 - id for the five train batches and 0 for the test.
void write_cifar10_folder(const testing::TempDir &dir) {
  for (int f = 1; f <= 5; ++f)
    testing::write_file(
        dir.file("c10/data_batch_" + std::to_string(f) + ".bin"),
        records({{static_cast<unsigned char>(10 - f)}}, f - 1));
  testing::write_file(dir.file("c10/test_batch.bin"), records({{0}, {7}}, 5));
}

TEST(CifarLoader, ReadsAFolderTrainThenTest) {
  testing::TempDir dir;
  write_cifar10_folder(dir);
  const Dataset ds = read_cifar10_bin(dir.file("c10"));
  ASSERT_EQ(ds.n(), 7);
  ASSERT_EQ(ds.d(), 3072);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{9, 8, 7, 6, 5, 0, 7}));
  // Rows in file order, pixels copied as stored (R, G, B planes = C x H x
  // W): row i is image i.
  for (int i = 0; i < 7; ++i)
    for (int j : {0, 1, 1023, 1024, 2048, 3071})
      EXPECT_EQ(ds.X(i, j), pixel(i, j)) << i << " " << j;
  EXPECT_EQ(ds.image, (ImageShape{3, 32, 32}));
  EXPECT_EQ(ds.pixel_max, 255);
  EXPECT_EQ(ds.class_names.size(), 10u);
  EXPECT_EQ(ds.class_names[0], "airplane");
  EXPECT_EQ(ds.class_names[9], "truck");
  std::vector<std::string> digests;
  for (const auto &f : cifar_files(dir.file("c10"), false))
    digests.push_back(sha256_file(f));
  EXPECT_EQ(digests.size(), 6u);
  EXPECT_EQ(ds.sha256, combine_digests(digests));
}

TEST(CifarLoader, SingleFileAndMetaNames) {
  testing::TempDir dir;
  write_cifar10_folder(dir);
  std::string meta;
  for (int c = 0; c < 10; ++c)
    meta += "class" + std::to_string(c) + "\r\n";
  testing::write_text(dir.file("c10/batches.meta.txt"), meta + "\n\n");
  const Dataset one = read_cifar10_bin(dir.file("c10/test_batch.bin"));
  EXPECT_EQ(one.n(), 2);
  EXPECT_EQ(one.labels, (std::vector<std::int32_t>{0, 7}));
  EXPECT_EQ(one.X(1, 5), pixel(6, 5));
  EXPECT_EQ(one.class_names[3], "class3");
  EXPECT_EQ(one.sha256,
            combine_digests({sha256_file(dir.file("c10/test_batch.bin"))}));

  testing::write_text(dir.file("c10/batches.meta.txt"), "a\nb\n");
  EXPECT_NE(data_error([&] {
              read_cifar10_bin(dir.file("c10"));
            }).find("batches.meta.txt: holds 2 class names, CIFAR-10 has 10"),
            std::string::npos);
}

TEST(CifarLoader, BrokenFilesNameTheByte) {
  testing::TempDir dir;
  const std::string file = dir.file("b.bin");
  // Truncated: 2 records and 100 bytes of a third.
  Bytes b = records({{1}, {2}, {3}}, 0);
  b.resize(2 * 3073 + 100);
  testing::write_file(file, b);
  EXPECT_NE(data_error([&] { read_cifar10_bin(file); })
                .find(file + ": at byte 6146: file size 6246 is not a multiple "
                             "of the 3073-byte CIFAR-10 record (1 label byte + "
                             "3072 pixel bytes): 2 whole records, then a "
                             "cut-off one of 100 bytes (truncated"),
            std::string::npos);
  // A CIFAR-100 file read as CIFAR-10: the message says so.
  testing::write_file(file, records({{0, 1}, {2, 3}, {4, 5}}, 0));
  EXPECT_NE(data_error([&] { read_cifar10_bin(file); })
                .find("(the size fits CIFAR-100 records of 3074 bytes: use "
                      "format cifar100_bin)"),
            std::string::npos);
  // Bad label value in the second record.
  testing::write_file(file, records({{1}, {10}}, 0));
  EXPECT_NE(data_error([&] { read_cifar10_bin(file); })
                .find(file + ": at byte 3073: record 1 has label 10; CIFAR-10 "
                             "labels are 0..9"),
            std::string::npos);
  testing::write_file(file, Bytes{});
  EXPECT_NE(data_error([&] { read_cifar10_bin(file); }).find("is empty"),
            std::string::npos);
  // A folder without all batches.
  write_cifar10_folder(dir);
  std::filesystem::remove(dir.file("c10/data_batch_3.bin"));
  EXPECT_NE(data_error([&] { read_cifar10_bin(dir.file("c10")); })
                .find("has no data_batch_3.bin; a CIFAR-10 binary folder "
                      "holds data_batch_1.bin, data_batch_2.bin"),
            std::string::npos);
  EXPECT_NE(data_error([&] {
              read_cifar10_bin(dir.file("nothing"));
            }).find("not found"),
            std::string::npos);
}

TEST(CifarLoader, Cifar100KeepsFineLabels) {
  testing::TempDir dir;
  testing::write_file(dir.file("c100/train.bin"),
                      records({{19, 99}, {0, 0}, {4, 55}}, 0));
  testing::write_file(dir.file("c100/test.bin"), records({{7, 42}}, 3));
  const Dataset ds = read_cifar100_bin(dir.file("c100"));
  ASSERT_EQ(ds.n(), 4);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{99, 0, 55, 42}));
  EXPECT_EQ(ds.X(3, 3071), pixel(3, 3071));
  EXPECT_EQ(ds.X(2, 0), pixel(2, 0));
  EXPECT_EQ(ds.image, (ImageShape{3, 32, 32}));
  // The standard hundred names, all distinct, alphabetical as in
  // fine_label_names.txt.
  ASSERT_EQ(ds.class_names.size(), 100u);
  EXPECT_EQ(std::set<std::string>(ds.class_names.begin(), ds.class_names.end())
                .size(),
            100u);
  EXPECT_TRUE(std::is_sorted(ds.class_names.begin(), ds.class_names.end()));
  EXPECT_EQ(ds.class_names[42], "leopard");
  EXPECT_EQ(ds.class_names[99], "worm");

  const std::string file = dir.file("c100/train.bin");
  testing::write_file(file, records({{1, 2}, {3, 100}}, 0));
  EXPECT_NE(data_error([&] { read_cifar100_bin(file); })
                .find(file + ": at byte 3075: record 1 has fine label 100; "
                             "CIFAR-100 fine labels are 0..99"),
            std::string::npos);
  testing::write_file(file, records({{20, 2}}, 0));
  EXPECT_NE(data_error([&] {
              read_cifar100_bin(file);
            }).find(file + ": at byte 0: record 0 has coarse label 20"),
            std::string::npos);
  std::filesystem::remove(dir.file("c100/test.bin"));
  EXPECT_NE(data_error([&] {
              read_cifar100_bin(dir.file("c100"));
            }).find("has no test.bin"),
            std::string::npos);
}

} // namespace
} // namespace nebench
