#pragma once
// The resumable state of a contrastive training run
// (engine/torch/image/contrastive_trainer.h), written at every epoch
// boundary: the model's parameters and buffers (BN running statistics
// included), the SGD momentum buffers of the current stage, where to go on
// (stage and epoch), the model's output width, the trace so far and a
// fingerprint of the configuration that wrote it. One LibTorch archive
// (torch::serialize, the format of torch::save), written to path + ".tmp"
// and renamed over path, so a crash or an interrupt leaves either the old
// or the new checkpoint, never a torn one.

#include "engine/core/trace.h"
#include "engine/torch/image/contrastive_model.h"

#include <torch/torch.h>

#include <string>

namespace nebench {

struct ContrastiveCheckpoint {
  /// The stage (0-based) of the next epoch to run (= the number of stages
  /// when training is complete).
  int stage = 0;
  /// The epoch within that stage (0-based) to run next.
  int epoch = 0;
  /// The model's out_dim when the checkpoint was written.
  int out_dim = 0;
  /// The trainer's description of its configuration
  /// (ContrastiveTrainer::fingerprint); a resume refuses a mismatch.
  std::string fingerprint;
  /// The trace rows of all epochs done so far.
  Trace trace;
  /// Model state (Module::save) and optimizer state (Optimizer::save), to be
  /// loaded by load_model_state / Optimizer::load.
  torch::serialize::InputArchive model, optimizer;
};

/// Writes the checkpoint atomically (path + ".tmp", then rename). The
/// archive fields of `meta` are ignored. Throws NebenchError naming the
/// path when the file cannot be written.
void write_contrastive_checkpoint(const std::string &path,
                                  const ContrastiveCheckpoint &meta,
                                  const ContrastiveModel &model,
                                  const torch::optim::Optimizer &optimizer);

/// Reads a checkpoint, its tensors mapped to `device`. Throws DataError
/// naming the path for a missing or unreadable file.
ContrastiveCheckpoint read_contrastive_checkpoint(const std::string &path,
                                                  torch::Device device);

/// Loads the model state of a checkpoint into `model`: first the output
/// layer is replaced when its width differs from checkpoint.out_dim (the
/// new values are then overwritten), so the parameter names and shapes
/// match. Throws DataError when the archive does not fit the model.
void load_model_state(ContrastiveCheckpoint &checkpoint,
                      ContrastiveModel &model, const std::string &path);

} // namespace nebench
