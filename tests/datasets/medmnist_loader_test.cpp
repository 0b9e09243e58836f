#include "datasets/medmnist_loader.h"
#include "datasets/sha256.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <map>

namespace nebench {
namespace {

using testing::Bytes;
using testing::ZipMember;

using testing::data_error;

/// Pixel value of image `i`, row y, column x, channel c of the test sets:
/// distinct for every (i, y, x, c) in the small shapes used here.
unsigned char pixel(int i, int y, int x, int c) {
  return static_cast<unsigned char>(100 * c + 20 * i + 4 * y + x);
}

/// uint8 images n x h x w (x c when c > 0), stored HWC as numpy does.
Bytes images_npy(int first, int n, int h, int w, int c) {
  Bytes data;
  for (int i = first; i < first + n; ++i)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int ch = 0; ch < std::max(c, 1); ++ch)
          data.push_back(pixel(i, y, x, ch));
  const std::string shape = "(" + std::to_string(n) + ", " + std::to_string(h) +
                            ", " + std::to_string(w) +
                            (c > 0 ? ", " + std::to_string(c) : "") + ")";
  return testing::npy_bytes("|u1", shape, data);
}

/// int64 labels n x 1 (MedMNIST's layout).
Bytes labels_npy(const std::vector<std::int64_t> &labels) {
  Bytes data;
  for (auto l : labels)
    testing::put_le(data, static_cast<std::uint64_t>(l), 8);
  return testing::npy_bytes("<i8", "(" + std::to_string(labels.size()) + ", 1)",
                            data);
}

/// The six members of a MedMNIST .npz: 2 train, 1 val, 1 test image of
/// h x w (x c), labels 3, 0, 1, 2.
std::map<std::string, Bytes> members(int h, int w, int c) {
  return {{"train_images", images_npy(0, 2, h, w, c)},
          {"train_labels", labels_npy({3, 0})},
          {"val_images", images_npy(2, 1, h, w, c)},
          {"val_labels", labels_npy({1})},
          {"test_images", images_npy(3, 1, h, w, c)},
          {"test_labels", labels_npy({2})}};
}

void write_npz(const std::string &path, const std::map<std::string, Bytes> &m,
               bool deflate = false) {
  std::vector<ZipMember> zm;
  // numpy.savez order; ZIP64 local headers as numpy writes them.
  for (const std::string name : {"train_images", "val_images", "test_images",
                                 "train_labels", "val_labels", "test_labels"})
    if (m.count(name))
      zm.push_back({name + ".npy", m.at(name), deflate, true});
  testing::write_file(path, testing::zip_bytes(zm));
}

TEST(MedmnistLoader, ReadsGreyImagesTrainValTest) {
  testing::TempDir dir;
  const std::string path = dir.file("tiny.npz");
  write_npz(path, members(2, 3, 0));
  const Dataset ds = read_medmnist_npz(path);
  ASSERT_EQ(ds.n(), 4);
  ASSERT_EQ(ds.d(), 6);
  EXPECT_EQ(ds.image, (ImageShape{1, 2, 3}));
  EXPECT_EQ(ds.pixel_max, 255);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{3, 0, 1, 2}));
  for (int i = 0; i < 4; ++i)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x)
        EXPECT_EQ(ds.X(i, y * 3 + x), pixel(i, y, x, 0));
  EXPECT_EQ(ds.sha256, combine_digests({sha256_file(path)}));
  EXPECT_EQ(ds.indices, (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(MedmnistLoader, ColourImagesBecomeChannelMajor) {
  testing::TempDir dir;
  const std::string path = dir.file("colour.npz");
  // Deflated members, as numpy.savez_compressed writes them.
  write_npz(path, members(2, 2, 3), true);
  const Dataset ds = read_medmnist_npz(path);
  ASSERT_EQ(ds.n(), 4);
  EXPECT_EQ(ds.image, (ImageShape{3, 2, 2}));
  // Row layout (c, y, x): column (c * 2 + y) * 2 + x.
  for (int i = 0; i < 4; ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x)
          EXPECT_EQ(ds.X(i, (c * 2 + y) * 2 + x), pixel(i, y, x, c))
              << i << " " << c << " " << y << " " << x;
  // The red plane of image 1 is its first four values: 20 + 4y + x.
  EXPECT_EQ(ds.X(1, 0), 20);
  EXPECT_EQ(ds.X(1, 3), 25);
  EXPECT_EQ(ds.X(1, 4), 120); // green (0, 0)
}

TEST(MedmnistLoader, BadContentsNameTheMember) {
  testing::TempDir dir;
  const std::string path = dir.file("bad.npz");
  const std::string member = path + ": member ";

  auto m = members(2, 2, 0);
  m.erase("val_labels");
  write_npz(path, m);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find("has no member val_labels.npy; a MedMNIST .npz holds "
                      "train_, val_ and test_ images and labels (members "
                      "here: train_images.npy, val_images.npy"),
            std::string::npos);

  m = members(2, 2, 0);
  m["test_labels"] = labels_npy({-1});
  write_npz(path, m);
  EXPECT_NE(data_error([&] {
              read_medmnist_npz(path);
            }).find(member + "test_labels.npy: label 0 is -1"),
            std::string::npos);

  m = members(2, 2, 0);
  m["train_labels"] = testing::npy_bytes("|u1", "(2, 3)", Bytes(6, 1));
  write_npz(path, m);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find(member + "train_labels.npy: labels have shape (2, 3): "
                               "a multi-label set"),
            std::string::npos);

  m = members(2, 2, 0);
  m["val_labels"] = labels_npy({1, 2});
  write_npz(path, m);
  EXPECT_NE(data_error([&] {
              read_medmnist_npz(path);
            }).find(member + "val_labels.npy: holds 2 labels for 1 images"),
            std::string::npos);

  m = members(2, 2, 0);
  m["train_images"] = testing::npy_bytes("<f4", "(2, 1, 1)", Bytes(8, 0));
  write_npz(path, m);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find(member + "train_images.npy: images have dtype '<f4', "
                               "expected uint8"),
            std::string::npos);

  m = members(2, 2, 0);
  m["test_images"] = images_npy(3, 1, 2, 3, 0);
  write_npz(path, m);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find(member + "test_images.npy: images are 1x2x3 (C x H x "
                               "W), those of train_images.npy 1x2x2"),
            std::string::npos);

  m = members(2, 2, 0);
  m["val_images"] = testing::npy_bytes("|u1", "(1, 2, 2, 2)", Bytes(8, 0));
  write_npz(path, m);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find("images have shape (1, 2, 2, 2), expected (N, H, W) or "
                      "(N, H, W, 3)"),
            std::string::npos);

  // A member whose .npy magic is wrong: the npy parser names the member.
  m = members(2, 2, 0);
  m["val_images"][0] = 'X';
  write_npz(path, m);
  EXPECT_NE(data_error([&] {
              read_medmnist_npz(path);
            }).find(member + "val_images.npy: at byte 0: not a .npy file"),
            std::string::npos);

  // A member cut short: the npy parser reports the missing bytes (offsets
  // within the member).
  m = members(2, 2, 0);
  const std::size_t full = m["train_images"].size();
  m["train_images"].resize(full - 3);
  write_npz(path, m);
  const std::string cut = std::to_string(full - 3);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find(member + "train_images.npy: at byte " + cut +
                      ": file ends after " + cut + " of " +
                      std::to_string(full) + " expected bytes"),
            std::string::npos);

  // The archive itself cut short.
  write_npz(path, members(2, 2, 0));
  Bytes b = testing::read_file(path);
  b.resize(b.size() / 2);
  testing::write_file(path, b);
  EXPECT_NE(data_error([&] { read_medmnist_npz(path); })
                .find("no ZIP end-of-central-directory record found (the "
                      "archive looks truncated)"),
            std::string::npos);
}

} // namespace
} // namespace nebench
