#pragma once
// One epoch of non-parametric CNE done the way the PyTorch reference (the
// cne package, cne.py: train()) runs it, with LibTorch tensor ops: the
// embedding table is a torch parameter (the package's nn.Embedding with a
// dense gradient); per batch: gather the 2b rows, the summed batch loss
// (engine/torch/cne_torch_loss.h), zero_grad, backward, clip_grad_value_(4)
// on the table (and on NCE's log Z), torch::optim::SGD step with the epoch's
// annealed learning rate (log Z in a second parameter group at its own
// fixed rate, as the package's optimizer).
//
// It draws the SAME batches and negatives as the native optimizer
// (engine/ne/cne_optimizer.h): CneBatchSampler driven by Rng(seed,
// cne_stream(phase, epoch)), the indices copied into tensors. So from the
// same start it reproduces CneOptimizer::run_epoch up to floating-point
// rounding (tests/torch/cne_torch_epoch_test.cpp), and bench/
// cne_torch_bench.cpp times the two on identical work.

#include "engine/core/csr.h"
#include "engine/ne/cne_batch_sampler.h"
#include "engine/ne/cne_optimizer.h"
#include "engine/torch/cne_torch_loss.h"

#include <torch/torch.h>

namespace nebench {

class CneTorchEpoch {
public:
  /// The graph's stored entries are the directed edges; params as for
  /// CneOptimizer (batch_size, negatives, log_z_learning_rate, clip, seed;
  /// learning_rate and log_every are not used here: the caller passes lr).
  /// Throws NebenchError for invalid parameters or graphs.
  CneTorchEpoch(const Csr &A, CneOptimizerParams params);

  const CneEdges &edges() const { return edges_; }

  /// One epoch of phase `phase` at learning rate lr: `table` is the n x dim
  /// embedding, a leaf tensor with requires_grad (float or double, any
  /// device), updated in place; log_z (nce only) a 0-dim leaf tensor of the
  /// same dtype and device with requires_grad, updated in place (undefined
  /// for the other losses). Returns the loss summed over the batches.
  double run_epoch(const CneLossConfig &loss, int phase, int epoch, double lr,
                   torch::Tensor &table, torch::Tensor log_z = {});

private:
  CneOptimizerParams params_;
  CneEdges edges_;
  CneBatchSampler sampler_;
  CneBatch batch_;
};

} // namespace nebench
