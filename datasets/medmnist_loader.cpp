#include "datasets/medmnist_loader.h"

#include "datasets/npy_loader.h"
#include "datasets/sha256.h"
#include "datasets/zip_archive.h"
#include "engine/core/errors.h"

namespace nebench {

namespace {

/// The bytes of member NAME.npy (DataError listing the members when absent).
std::vector<unsigned char> member_bytes(const ZipArchive &zip,
                                        const std::string &name) {
  const ZipEntry *e = zip.find(name + ".npy");
  if (!e) {
    std::string members;
    for (const auto &m : zip.entries())
      members += (members.empty() ? "" : ", ") + m.name;
    throw DataError(zip.path(),
                    "has no member " + name +
                        ".npy; a MedMNIST .npz holds train_, val_ and test_ "
                        "images and labels (members here: " +
                        (members.empty() ? "none" : members) + ")");
  }
  return zip.extract(*e);
}

/// Shape of the images of one split, checked: uint8, N x H x W or
/// N x H x W x C with C in {1, 3}.
ImageShape split_shape(const std::string &name, const NpyArray &a) {
  if (a.kind != 'u' || a.item_size != 1)
    throw DataError(name, "images have dtype '" + a.descr +
                              "', expected uint8 ('|u1') as MedMNIST stores "
                              "them");
  if (a.fortran_order)
    throw DataError(name, "images in Fortran order are not supported");
  const auto &s = a.shape;
  const bool grey = s.size() == 3;
  const bool colour = s.size() == 4 && (s[3] == 1 || s[3] == 3);
  if (!(grey || colour) || s[1] < 1 || s[2] < 1 || s[1] > 4096 || s[2] > 4096)
    throw DataError(name, "images have shape " + a.shape_string() +
                              ", expected (N, H, W) or (N, H, W, 3)");
  return ImageShape{grey ? 1 : static_cast<int>(s[3]), static_cast<int>(s[1]),
                    static_cast<int>(s[2])};
}

} // namespace

Dataset read_medmnist_npz(const std::string &path) {
  const ZipArchive zip(path);
  Dataset ds;
  std::string first_split;
  for (const std::string split : {"train", "val", "test"}) {
    const std::string images_name = path + ": member " + split + "_images.npy";
    const std::string labels_name = path + ": member " + split + "_labels.npy";
    std::vector<std::int32_t> labels;
    {
      const std::vector<unsigned char> bytes =
          member_bytes(zip, split + "_labels");
      const NpyArray a = parse_npy(labels_name, bytes.data(), bytes.size());
      if (a.shape.size() == 2 && a.shape[1] > 1)
        throw DataError(labels_name,
                        "labels have shape " + a.shape_string() +
                            ": a multi-label set (one 0/1 column per "
                            "finding, as ChestMNIST); one class per image "
                            "is needed");
      labels = npy_labels(labels_name, a);
    }
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] < 0)
        throw DataError(labels_name, "label " + std::to_string(i) + " is " +
                                         std::to_string(labels[i]) +
                                         "; class labels must be >= 0");
    const std::vector<unsigned char> bytes =
        member_bytes(zip, split + "_images");
    const NpyArray a = parse_npy(images_name, bytes.data(), bytes.size());
    const ImageShape shape = split_shape(images_name, a);
    if (first_split.empty()) {
      ds.image = shape;
      ds.X = Matrix(0, shape.size());
      first_split = split;
    } else if (shape != ds.image) {
      throw DataError(images_name, "images are " + shape.describe() +
                                       " (C x H x W), those of " + first_split +
                                       "_images.npy " + ds.image.describe());
    }
    const std::int64_t n = a.shape[0];
    if (static_cast<std::int64_t>(labels.size()) != n)
      throw DataError(labels_name, "holds " + std::to_string(labels.size()) +
                                       " labels for " + std::to_string(n) +
                                       " images in " + split + "_images.npy");
    const int C = shape.channels, H = shape.height, W = shape.width;
    const std::int64_t d = shape.size(), first = ds.X.rows;
    ds.X.data.resize(static_cast<std::size_t>((first + n) * d));
    ds.X.rows = first + n;
    // Stored (n, y, x, c); rows hold (c, y, x).
    for (std::int64_t i = 0; i < n; ++i) {
      const unsigned char *in = a.data + i * d;
      float *out = ds.X.data.data() + (first + i) * d;
      for (int c = 0; c < C; ++c)
        for (int y = 0; y < H; ++y)
          for (int x = 0; x < W; ++x)
            out[(c * H + y) * W + x] =
                static_cast<float>(in[(y * W + x) * C + c]);
    }
    ds.labels.insert(ds.labels.end(), labels.begin(), labels.end());
  }
  ds.pixel_max = 255;
  ds.sha256 = combine_digests({sha256_file(path)});
  ds.indices = identity_indices(ds.X.rows);
  return ds;
}

} // namespace nebench
