#include "datasets/cifar_loader.h"

#include "datasets/sha256.h"
#include "engine/core/errors.h"

#include <filesystem>
#include <fstream>

namespace nebench {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kPixelBytes = 3072; // 3 x 32 x 32

/// The CIFAR-10 classes in label order (batches.meta.txt of the binary
/// version).
const std::vector<std::string> &cifar10_names() {
  static const std::vector<std::string> names = {
      "airplane", "automobile", "bird",  "cat",  "deer",
      "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

/// The CIFAR-100 fine classes in label order (fine_label_names.txt of the
/// binary version: alphabetical).
const std::vector<std::string> &cifar100_names() {
  static const std::vector<std::string> names = {
      "apple",    "aquarium_fish", "baby",       "bear",         "beaver",
      "bed",      "bee",           "beetle",     "bicycle",      "bottle",
      "bowl",     "boy",           "bridge",     "bus",          "butterfly",
      "camel",    "can",           "castle",     "caterpillar",  "cattle",
      "chair",    "chimpanzee",    "clock",      "cloud",        "cockroach",
      "couch",    "crab",          "crocodile",  "cup",          "dinosaur",
      "dolphin",  "elephant",      "flatfish",   "forest",       "fox",
      "girl",     "hamster",       "house",      "kangaroo",     "keyboard",
      "lamp",     "lawn_mower",    "leopard",    "lion",         "lizard",
      "lobster",  "man",           "maple_tree", "motorcycle",   "mountain",
      "mouse",    "mushroom",      "oak_tree",   "orange",       "orchid",
      "otter",    "palm_tree",     "pear",       "pickup_truck", "pine_tree",
      "plain",    "plate",         "poppy",      "porcupine",    "possum",
      "rabbit",   "raccoon",       "ray",        "road",         "rocket",
      "rose",     "sea",           "seal",       "shark",        "shrew",
      "skunk",    "skyscraper",    "snail",      "snake",        "spider",
      "squirrel", "streetcar",     "sunflower",  "sweet_pepper", "table",
      "tank",     "telephone",     "television", "tiger",        "tractor",
      "train",    "trout",         "tulip",      "turtle",       "wardrobe",
      "whale",    "willow_tree",   "wolf",       "woman",        "worm"};
  return names;
}

/// The layout of one variant.
struct CifarFormat {
  bool cifar100 = false;
  std::int64_t label_bytes = 1;
  std::int32_t classes = 10;
  std::string title;
  std::string names_file;
  std::vector<std::string> folder_files;
  const std::vector<std::string> *default_names = nullptr;
  std::int64_t record() const { return label_bytes + kPixelBytes; }
};

const CifarFormat &format_of(bool cifar100) {
  static const CifarFormat c10{false,
                               1,
                               10,
                               "CIFAR-10",
                               "batches.meta.txt",
                               {"data_batch_1.bin", "data_batch_2.bin",
                                "data_batch_3.bin", "data_batch_4.bin",
                                "data_batch_5.bin", "test_batch.bin"},
                               &cifar10_names()};
  static const CifarFormat c100{true,
                                2,
                                100,
                                "CIFAR-100",
                                "fine_label_names.txt",
                                {"train.bin", "test.bin"},
                                &cifar100_names()};
  return cifar100 ? c100 : c10;
}

std::vector<unsigned char> read_whole_file(const std::string &path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw DataError(path, "file not found (or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path, "cannot open file for reading");
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

/// Class names from a names file next to the data (one per line, blank
/// lines ignored), else the standard ones.
std::vector<std::string> class_names(const std::string &folder,
                                     const CifarFormat &f) {
  const std::string file = (fs::path(folder) / f.names_file).string();
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return *f.default_names;
  std::ifstream in(file);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() &&
           (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    if (!line.empty())
      names.push_back(line);
  }
  if (static_cast<std::int32_t>(names.size()) != f.classes)
    throw DataError(file, "holds " + std::to_string(names.size()) +
                              " class names, " + f.title + " has " +
                              std::to_string(f.classes));
  return names;
}

/// Appends the records of one file to `ds`.
void read_records(const std::string &file, const CifarFormat &f, Dataset &ds) {
  const std::vector<unsigned char> bytes = read_whole_file(file);
  const auto size = static_cast<std::int64_t>(bytes.size());
  const std::int64_t record = f.record();
  if (size == 0)
    throw DataError(file, "is empty; " + f.title + " files hold records of " +
                              std::to_string(record) + " bytes");
  if (size % record != 0) {
    const CifarFormat &other = format_of(!f.cifar100);
    const std::string hint =
        size % other.record() == 0
            ? " (the size fits " + other.title + " records of " +
                  std::to_string(other.record()) + " bytes: use format " +
                  (other.cifar100 ? "cifar100_bin" : "cifar10_bin") + ")"
            : " (truncated or not a " + f.title + " file)";
    throw DataError::at_offset(
        file, size / record * record,
        "file size " + std::to_string(size) + " is not a multiple of the " +
            std::to_string(record) + "-byte " + f.title + " record (" +
            std::to_string(f.label_bytes) + " label byte" +
            (f.label_bytes > 1 ? "s" : "") +
            " + 3072 pixel bytes): " + std::to_string(size / record) +
            " whole records, then a cut-off one of " +
            std::to_string(size % record) + " bytes" + hint);
  }
  const std::int64_t n = size / record;
  const std::int64_t first = ds.X.rows;
  ds.X.data.resize(static_cast<std::size_t>((first + n) * kPixelBytes));
  ds.X.rows = first + n;
  ds.X.cols = kPixelBytes;
  ds.labels.reserve(static_cast<std::size_t>(first + n));
  for (std::int64_t r = 0; r < n; ++r) {
    const unsigned char *rec = bytes.data() + r * record;
    if (f.cifar100 && rec[0] >= 20)
      throw DataError::at_offset(
          file, r * record,
          "record " + std::to_string(r) + " has coarse label " +
              std::to_string(rec[0]) + "; CIFAR-100 coarse labels are 0..19");
    const int label = rec[f.label_bytes - 1];
    if (label >= f.classes)
      throw DataError::at_offset(
          file, r * record + f.label_bytes - 1,
          "record " + std::to_string(r) + " has " +
              (f.cifar100 ? "fine label " : "label ") + std::to_string(label) +
              "; " + f.title + (f.cifar100 ? " fine" : "") + " labels are 0.." +
              std::to_string(f.classes - 1));
    ds.labels.push_back(label);
    float *row = ds.X.data.data() + (first + r) * kPixelBytes;
    for (std::int64_t j = 0; j < kPixelBytes; ++j)
      row[j] = static_cast<float>(rec[f.label_bytes + j]);
  }
}

Dataset read_cifar(const std::string &path, bool cifar100) {
  const CifarFormat &f = format_of(cifar100);
  const std::vector<std::string> files = cifar_files(path, cifar100);
  Dataset ds;
  ds.X = Matrix(0, kPixelBytes);
  std::vector<std::string> digests;
  for (const auto &file : files) {
    read_records(file, f, ds);
    digests.push_back(sha256_file(file));
  }
  std::error_code ec;
  const std::string folder =
      fs::is_directory(path, ec) ? path : fs::path(path).parent_path().string();
  ds.class_names = class_names(folder.empty() ? "." : folder, f);
  ds.sha256 = combine_digests(digests);
  ds.indices = identity_indices(ds.X.rows);
  ds.image = kCifarImage;
  ds.pixel_max = 255;
  return ds;
}

} // namespace

std::vector<std::string> cifar_files(const std::string &path, bool cifar100) {
  const CifarFormat &f = format_of(cifar100);
  std::error_code ec;
  if (fs::is_regular_file(path, ec))
    return {path};
  if (!fs::is_directory(path, ec))
    throw DataError(path, "not found (expected a " + f.title +
                              " .bin file or a folder of them)");
  std::vector<std::string> files;
  std::string expected;
  for (const auto &name : f.folder_files)
    expected += (expected.empty() ? "" : ", ") + name;
  for (const auto &name : f.folder_files) {
    const std::string file = (fs::path(path) / name).string();
    if (!fs::is_regular_file(file, ec))
      throw DataError(path, "has no " + name + "; a " + f.title +
                                " binary folder holds " + expected);
    files.push_back(file);
  }
  return files;
}

Dataset read_cifar10_bin(const std::string &path) {
  return read_cifar(path, false);
}

Dataset read_cifar100_bin(const std::string &path) {
  return read_cifar(path, true);
}

} // namespace nebench
