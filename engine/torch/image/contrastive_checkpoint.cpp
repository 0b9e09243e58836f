#include "engine/torch/image/contrastive_checkpoint.h"

#include "engine/core/errors.h"

#include <cstdint>
#include <filesystem>
#include <system_error>
#include <vector>

namespace nebench {

namespace {

torch::Tensor int_tensor(std::int64_t v) {
  return torch::full({}, v, torch::kInt64);
}

std::int64_t read_int(torch::serialize::InputArchive &a,
                      const std::string &key) {
  torch::Tensor t;
  a.read(key, t, /*is_buffer=*/true);
  return t.item<std::int64_t>();
}

} // namespace

void write_contrastive_checkpoint(const std::string &path,
                                  const ContrastiveCheckpoint &meta,
                                  const ContrastiveModel &model,
                                  const torch::optim::Optimizer &optimizer) {
  const std::string tmp = path + ".tmp";
  try {
    torch::serialize::OutputArchive root;
    root.write("format", c10::IValue(std::string("nebench contrastive 1")));
    root.write("fingerprint", c10::IValue(meta.fingerprint));
    root.write("stage", int_tensor(meta.stage), /*is_buffer=*/true);
    root.write("epoch", int_tensor(meta.epoch), /*is_buffer=*/true);
    root.write("out_dim", int_tensor(meta.out_dim), /*is_buffer=*/true);

    torch::serialize::OutputArchive trace(root.compilation_unit());
    for (const auto &[name, column] : meta.trace.columns) {
      const auto n = static_cast<std::int64_t>(column.size());
      trace.write(name,
                  torch::from_blob(const_cast<double *>(column.data()), {n},
                                   torch::kFloat64)
                      .clone(),
                  /*is_buffer=*/true);
    }
    root.write("trace", trace);

    torch::serialize::OutputArchive model_archive(root.compilation_unit());
    model.save(model_archive);
    root.write("model", model_archive);
    torch::serialize::OutputArchive optimizer_archive(root.compilation_unit());
    optimizer.save(optimizer_archive);
    root.write("optimizer", optimizer_archive);
    root.save_to(tmp);
  } catch (const c10::Error &e) {
    throw NebenchError(tmp + ": cannot write the training checkpoint: " +
                       e.what_without_backtrace());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    throw NebenchError(path +
                       ": cannot move the training checkpoint into "
                       "place: " +
                       ec.message());
}

ContrastiveCheckpoint read_contrastive_checkpoint(const std::string &path,
                                                  torch::Device device) {
  ContrastiveCheckpoint ck;
  try {
    torch::serialize::InputArchive root;
    root.load_from(path, device);
    c10::IValue format, fingerprint;
    root.read("format", format);
    if (!format.isString() || format.toStringRef() != "nebench contrastive 1")
      throw DataError(path, "not a nebench contrastive training checkpoint");
    root.read("fingerprint", fingerprint);
    ck.fingerprint = fingerprint.toStringRef();
    ck.stage = static_cast<int>(read_int(root, "stage"));
    ck.epoch = static_cast<int>(read_int(root, "epoch"));
    ck.out_dim = static_cast<int>(read_int(root, "out_dim"));

    torch::serialize::InputArchive trace;
    root.read("trace", trace);
    for (const std::string &name : trace.keys()) {
      torch::Tensor t;
      trace.read(name, t, /*is_buffer=*/true);
      t = t.to(torch::kCPU, torch::kFloat64).contiguous();
      ck.trace.columns[name] = std::vector<double>(
          t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
    }
    root.read("model", ck.model);
    root.read("optimizer", ck.optimizer);
  } catch (const c10::Error &e) {
    throw DataError(path, std::string("cannot read the training checkpoint: ") +
                              e.what_without_backtrace());
  }
  return ck;
}

void load_model_state(ContrastiveCheckpoint &checkpoint,
                      ContrastiveModel &model, const std::string &path) {
  if (checkpoint.out_dim < 1)
    throw DataError(path, "the checkpoint's out_dim is " +
                              std::to_string(checkpoint.out_dim));
  if (model.out_dim() != checkpoint.out_dim)
    model.replace_output(checkpoint.out_dim, 0.0);
  try {
    model.load(checkpoint.model);
  } catch (const c10::Error &e) {
    throw DataError(path,
                    std::string("the checkpoint's model state does not fit "
                                "the model: ") +
                        e.what_without_backtrace());
  }
}

} // namespace nebench
