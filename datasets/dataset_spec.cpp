#include "datasets/dataset_spec.h"

#include "datasets/registry.h"
#include "datasets/synthetic.h"
#include "engine/core/errors.h"

#include <cstdlib>
#include <filesystem>

namespace nebench {

namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string resolve(const std::string &spec_dir, const std::string &path) {
  const fs::path p(path);
  if (p.is_absolute() || spec_dir.empty())
    return p.lexically_normal().string();
  return (fs::path(spec_dir) / p).lexically_normal().string();
}

/// The registry to check names against when the caller gave none.
const Registry *find_registry(const SpecNode &node,
                              const std::string &spec_dir) {
  std::vector<std::string> starts;
  if (const char *env = std::getenv("NEBENCH_ROOT"); env && *env)
    starts.emplace_back(env);
  if (!spec_dir.empty())
    starts.push_back(spec_dir);
  std::error_code ec;
  starts.push_back(fs::current_path(ec).string());
  for (const auto &start : starts) {
    const std::string root = find_repo_root(start);
    if (!root.empty())
      return &registry(root);
  }
  node.fail_at("name", "cannot check the dataset name: no "
                       "datasets/registry.json found above the spec's folder "
                       "or the working directory (set NEBENCH_ROOT to the "
                       "nebench checkout)");
}

PreprocessOp parse_preprocess_op(const SpecNode &node) {
  if (!node.is_object())
    node.fail("must be an object {op: \"pca\", dim} or {op: \"scale\", "
              "factor}, got " +
              json_type_name(node.raw()));
  PreprocessOp op;
  op.op = node.string("op", std::nullopt, {"pca", "scale"});
  if (op.op == "pca")
    op.dim = static_cast<int>(
        node.integer("dim", std::nullopt, Range::closed(1, 4096)));
  else
    op.factor = node.number("factor", std::nullopt, Range::positive());
  node.finish();
  return op;
}

} // namespace

const std::vector<std::string> &dataset_formats() {
  static const std::vector<std::string> formats = {
      "idx",          "mnist_json",   "npy",       "h5",  "cifar10_bin",
      "cifar100_bin", "medmnist_npz", "edge_list", "csv", "h5ad"};
  return formats;
}

std::string infer_dataset_format(const std::string &path) {
  // Folders are recognised by the files the standard archives unpack to.
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const auto holds = [&](const char *name) {
      return fs::is_regular_file(fs::path(path) / name, ec);
    };
    if (holds("data_batch_1.bin"))
      return "cifar10_bin";
    if (holds("train.bin") && holds("test.bin"))
      return "cifar100_bin";
    if (holds("0.json"))
      return "mnist_json";
    return "";
  }
  const std::string file = fs::path(path).filename().string();
  if (ends_with(path, ".gz") || ends_with(path, ".idx") ||
      ends_with(path, "-ubyte"))
    return "idx";
  if (ends_with(path, ".edges") || ends_with(path, ".edgelist"))
    return "edge_list";
  if (ends_with(path, ".npy"))
    return "npy";
  if (ends_with(path, ".csv"))
    return "csv";
  if (ends_with(path, ".h5ad"))
    return "h5ad";
  if (ends_with(path, ".npz"))
    return "medmnist_npz";
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5"))
    return "h5";
  // The CIFAR-10 batch names; a lone CIFAR-100 train.bin/test.bin is
  // ambiguous and needs dataset.format.
  if (file.rfind("data_batch_", 0) == 0 && ends_with(file, ".bin"))
    return "cifar10_bin";
  if (file == "test_batch.bin")
    return "cifar10_bin";
  return "";
}

DatasetSpec DatasetSpec::from_spec(const SpecNode &node,
                                   const std::string &spec_dir,
                                   const Registry *reg) {
  if (!node.is_object())
    node.fail("must be an object, got " + json_type_name(node.raw()));
  DatasetSpec spec;
  const bool has_name = node.has("name"), has_path = node.has("path");
  if (has_name && has_path)
    node.fail("give either \"name\" (a registered dataset) or \"path\" (your "
              "own file), not both");
  if (!has_name && !has_path)
    node.fail("needs \"name\" (a registered dataset) or \"path\" (your own "
              "file)");

  const RegistryEntry *entry = nullptr;
  if (has_name) {
    spec.name = node.string("name");
    if (!reg)
      reg = find_registry(node, spec_dir);
    entry = reg->find(spec.name);
    if (!entry) {
      std::string known;
      for (const auto &n : reg->names())
        known += (known.empty() ? "" : ", ") + n;
      node.fail_at("name", "unknown dataset \"" + spec.name +
                               "\" (registered: " + known + ")");
    }
    for (const char *key : {"labels", "format"})
      if (node.has(key))
        node.fail_at(key, "only with \"path\"; a registered dataset has "
                          "its own labels and format");
  } else {
    const std::string raw_path = node.string("path");
    if (raw_path.empty())
      node.fail_at("path", "must not be empty");
    spec.path = resolve(spec_dir, raw_path);
    std::string raw_labels;
    if (node.has("labels")) {
      raw_labels = node.string("labels");
      if (raw_labels.empty())
        node.fail_at("labels", "must not be empty");
    }
    if (node.has("format")) {
      spec.format = node.string("format", std::nullopt, dataset_formats());
    } else {
      spec.format = infer_dataset_format(spec.path);
      if (spec.format.empty()) {
        std::string formats;
        for (const auto &f : dataset_formats())
          formats += (formats.empty() ? "" : ", ") + f;
        node.fail_at("path", "cannot tell the format of \"" + raw_path +
                                 "\" from its name; set dataset.format to "
                                 "one of " +
                                 formats);
      }
    }
    if (spec.format == "h5ad" && !raw_labels.empty()) {
      // A column of the file's obs, not a file of its own: not resolved.
      if (raw_labels.rfind("obs/", 0) != 0 || raw_labels.size() == 4)
        node.fail_at("labels", "with format h5ad, names a column of obs "
                               "inside the file, e.g. \"obs/cell_type\", "
                               "got \"" +
                                   raw_labels + "\"");
      spec.labels_path = raw_labels;
    } else if (!raw_labels.empty()) {
      spec.labels_path = resolve(spec_dir, raw_labels);
    }
    if (!spec.labels_path.empty() && spec.format != "idx" &&
        spec.format != "npy" && spec.format != "edge_list" &&
        spec.format != "csv" && spec.format != "h5ad")
      node.fail_at("labels", "not used with format " + spec.format +
                                 " (the labels come from the data itself)");
  }

  if (auto options = node.optional_child("options")) {
    if (!entry || entry->kind != "synthetic")
      options->fail("only synthetic datasets take options" +
                    (entry ? " (\"" + spec.name + "\" is " + entry->kind + ")"
                           : std::string()));
    validate_synthetic_options(spec.name, *options);
    spec.options = options->raw();
  }

  spec.subsample = node.integer("subsample", 0, Range::at_least(2));
  spec.subsample_seed = static_cast<std::uint64_t>(
      node.integer("subsample_seed", 0, Range::closed(0, 9.0e15)));

  if (auto pre = node.optional_child("preprocess")) {
    if (!pre->is_array())
      pre->fail("must be an array of {op, ...} objects, got " +
                json_type_name(pre->raw()));
    for (std::size_t i = 0; i < pre->size(); ++i)
      spec.preprocess.push_back(parse_preprocess_op(pre->at(i)));
  }
  node.finish();
  return spec;
}

} // namespace nebench
