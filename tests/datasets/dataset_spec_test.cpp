#include "datasets/dataset_spec.h"
#include "datasets/registry.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

const Registry &repo_registry() { return registry(NEBENCH_SOURCE_DIR); }

DatasetSpec parse(const std::string &text,
                  const std::string &spec_dir = "/specs/paper") {
  const json j = json::parse(text);
  const SpecNode root(j, "s.json");
  return DatasetSpec::from_spec(root.child("dataset"), spec_dir,
                                &repo_registry());
}

std::string spec_error(const std::string &text) {
  try {
    parse(text);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "(no SpecError)";
}

TEST(DatasetSpec, RegisteredNameWithSubsampleAndPreprocess) {
  const DatasetSpec s = parse(R"({"dataset": {"name": "fashion-mnist",
      "subsample": 1000, "subsample_seed": 3,
      "preprocess": [{"op": "scale", "factor": 0.5}, {"op": "pca", "dim": 50}]}})");
  EXPECT_EQ(s.name, "fashion-mnist");
  EXPECT_TRUE(s.path.empty());
  EXPECT_TRUE(s.format.empty());
  EXPECT_EQ(s.subsample, 1000);
  EXPECT_EQ(s.subsample_seed, 3u);
  ASSERT_EQ(s.preprocess.size(), 2u);
  EXPECT_EQ(s.preprocess[0].op, "scale");
  EXPECT_DOUBLE_EQ(s.preprocess[0].factor, 0.5);
  EXPECT_EQ(s.preprocess[1].op, "pca");
  EXPECT_EQ(s.preprocess[1].dim, 50);
}

TEST(DatasetSpec, DefaultsAndSyntheticOptions) {
  const DatasetSpec s = parse(
      R"({"dataset": {"name": "gaussian-line", "options": {"step": 3, "seed": 9}}})");
  EXPECT_EQ(s.subsample, 0);
  EXPECT_EQ(s.subsample_seed, 0u);
  EXPECT_TRUE(s.preprocess.empty());
  EXPECT_EQ(s.options, json::parse(R"({"step": 3, "seed": 9})"));
}

TEST(DatasetSpec, PathsResolveAgainstTheSpecFolder) {
  const DatasetSpec s =
      parse(R"({"dataset": {"path": "../data/x.npy", "labels": "y.npy"}})");
  EXPECT_EQ(s.path, "/specs/data/x.npy");
  EXPECT_EQ(s.labels_path, "/specs/paper/y.npy");
  EXPECT_EQ(s.format, "npy");
  EXPECT_EQ(
      parse(R"({"dataset": {"path": "/abs/train-images-idx3-ubyte"}})").path,
      "/abs/train-images-idx3-ubyte");
  EXPECT_EQ(
      parse(R"({"dataset": {"path": "t10k-images-idx3-ubyte.gz"}})").format,
      "idx");
  EXPECT_EQ(parse(R"({"dataset": {"path": "c.h5"}})").format, "h5");
  EXPECT_EQ(parse(R"({"dataset": {"path": "digits", "format": "mnist_json"}})")
                .format,
            "mnist_json");
}

TEST(DatasetSpec, ImageFormatsAreInferred) {
  EXPECT_EQ(parse(R"({"dataset": {"path": "bloodmnist.npz"}})").format,
            "medmnist_npz");
  EXPECT_EQ(parse(R"({"dataset": {"path": "c/data_batch_3.bin"}})").format,
            "cifar10_bin");
  EXPECT_EQ(parse(R"({"dataset": {"path": "c/test_batch.bin"}})").format,
            "cifar10_bin");
  EXPECT_EQ(
      parse(R"({"dataset": {"path": "train.bin", "format": "cifar100_bin"}})")
          .format,
      "cifar100_bin");
  // Folders by the files they hold.
  testing::TempDir dir;
  testing::write_text(dir.file("c10/data_batch_1.bin"), "");
  testing::write_text(dir.file("c100/train.bin"), "");
  testing::write_text(dir.file("c100/test.bin"), "");
  testing::write_text(dir.file("digits/0.json"), "");
  testing::write_text(dir.file("other/x.txt"), "");
  EXPECT_EQ(infer_dataset_format(dir.file("c10")), "cifar10_bin");
  EXPECT_EQ(infer_dataset_format(dir.file("c100")), "cifar100_bin");
  EXPECT_EQ(infer_dataset_format(dir.file("digits")), "mnist_json");
  EXPECT_EQ(infer_dataset_format(dir.file("other")), "");
  EXPECT_EQ(parse(R"({"dataset": {"path": "c10"}})", dir.path()).format,
            "cifar10_bin");
  EXPECT_EQ(parse(R"({"dataset": {"path": "c100/"}})", dir.path()).format,
            "cifar100_bin");
}

TEST(DatasetSpec, ErrorsNameTheJsonPath) {
  EXPECT_NE(
      spec_error(R"({"dataset": {"name": "fashion-mnist", "subsampel": 5}})")
          .find("s.json: dataset.subsampel: unknown key"),
      std::string::npos);
  EXPECT_EQ(
      spec_error(R"({"dataset": {"name": "fashion-mnist", "path": "x.npy"}})"),
      "s.json: dataset: give either \"name\" (a registered dataset) or "
      "\"path\" (your own file), not both");
  EXPECT_NE(spec_error(R"({"dataset": {}})").find("s.json: dataset: needs"),
            std::string::npos);
  EXPECT_EQ(
      spec_error(R"({"dataset": {"name": "fashion-mnist", "subsample": 1}})"),
      "s.json: dataset.subsample: must be in [2, inf], got 1");
  EXPECT_NE(spec_error(R"({"dataset": {"name": "fashion-mnist",
                           "preprocess": [{"op": "pca", "dim": 50}, {"op": "tsne"}]}})")
                .find("s.json: dataset.preprocess[1].op: must be one of {pca, "
                      "scale}"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"name": "fashion-mnist",
                           "preprocess": [{"op": "pca", "dim": 0}]}})")
                .find("dataset.preprocess[0].dim: must be in [1, 4096]"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"name": "fashion-mnist",
                           "preprocess": [{"op": "pca", "dim": 5, "factor": 2}]}})")
                .find("dataset.preprocess[0].factor: unknown key"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"name": "fashion-mnist",
                           "preprocess": [{"op": "scale", "factor": 0}]}})")
                .find("dataset.preprocess[0].factor: must be in (0, inf]"),
            std::string::npos);
  EXPECT_NE(
      spec_error(R"({"dataset": {"name": "fashion-mnist", "preprocess": {}}})")
          .find("dataset.preprocess: must be an array"),
      std::string::npos);
  EXPECT_NE(
      spec_error(
          R"({"dataset": {"name": "fashion-mnist", "subsample_seed": -1}})")
          .find("dataset.subsample_seed: must be in [0,"),
      std::string::npos);
}

TEST(DatasetSpec, UnknownNameListsTheRegisteredOnes) {
  EXPECT_EQ(spec_error(R"({"dataset": {"name": "fmnist"}})"),
            "s.json: dataset.name: unknown dataset \"fmnist\" (registered: "
            "fashion-mnist, mnist-10k, gaussian-mixture, gaussian-line, "
            "rotated-shapes, karate, sbm)");
}

TEST(DatasetSpec, WrongCombinationsAreRefused) {
  EXPECT_NE(
      spec_error(R"({"dataset": {"name": "fashion-mnist", "format": "idx"}})")
          .find("dataset.format: only with \"path\""),
      std::string::npos);
  EXPECT_NE(
      spec_error(R"({"dataset": {"name": "mnist-10k", "labels": "y.npy"}})")
          .find("dataset.labels: only with \"path\""),
      std::string::npos);
  EXPECT_EQ(
      spec_error(R"({"dataset": {"name": "fashion-mnist", "options": {}}})"),
      "s.json: dataset.options: only synthetic datasets take options "
      "(\"fashion-mnist\" is idx)");
  EXPECT_NE(spec_error(R"({"dataset": {"path": "x.npy", "options": {}}})")
                .find("dataset.options: only synthetic datasets"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"name": "gaussian-line",
                           "options": {"n_cluster": 3}}})")
                .find("s.json: dataset.options.n_cluster: unknown key"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"path": "data.txt"}})")
                .find("dataset.path: cannot tell the format"),
            std::string::npos);
  EXPECT_NE(
      spec_error(R"({"dataset": {"path": "x.bin", "format": "cifar"}})")
          .find("dataset.format: must be one of {idx, mnist_json, npy, h5, "
                "cifar10_bin, cifar100_bin, medmnist_npz, edge_list, csv, "
                "h5ad}"),
      std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"path": "c.h5", "labels": "l.npy"}})")
                .find("dataset.labels: not used with format h5"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"path": "b.npz", "labels": "l.npy"}})")
                .find("dataset.labels: not used with format medmnist_npz"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"path": "x.bin"}})")
                .find("set dataset.format to one of idx, mnist_json, npy, h5, "
                      "cifar10_bin, cifar100_bin, medmnist_npz"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"dataset": {"path": ""}})")
                .find("dataset.path: must not be empty"),
            std::string::npos);
}

TEST(DatasetSpec, FindsTheRegistryAboveTheSpecFolder) {
  const json j = json::parse(R"({"dataset": {"name": "mnist-10k"}})");
  const SpecNode root(j, "s.json");
  const DatasetSpec s = DatasetSpec::from_spec(root.child("dataset"),
                                               std::string(NEBENCH_SOURCE_DIR) +
                                                   "/experiments/spectrum");
  EXPECT_EQ(s.name, "mnist-10k");
}

} // namespace
} // namespace nebench
