#pragma once
// The four CNE losses (Damrich et al., ICLR 2023; sec. 1.2 of
// papers/spectrum_and_cne.md) as LibTorch autograd expressions, for the
// parametric model (engine/torch/parametric_cne.h) and the tensor-op epoch
// (engine/torch/cne_torch_epoch.h). They read the native loss structs of
// engine/ne/cne_loss.h (c, eps, clamp_low, rho, scale, negatives, log_z), so
// a loss is configured once for both implementations, and evaluate the same
// expressions: with q = d^2 + eps and phi = 1 / q,
//   neg      sigma = 1 / (1 + c q); l = -log sigma_0 - sum_t log(c q_t sigma_t)
//   nce      the same with c = m exp(log Z), log Z a tensor (learnable)
//   umap     l = -log phi_0 - sum_t log((d_t^2 + eps - 1) / q_t)
//   infonce  l = s [-log phi~_0 + (1/rho) log sum_{t>=0} phi~_t]
// summed over the batch (the paper's loss_aggregation = "sum"). Every log
// argument goes through torch.clamp(lo, 1) as in the cne package, so the
// gradient through a clamped argument is zero and passes on the closed
// interval [lo, 1], exactly the native rule. 1 - sigma is written c q sigma
// and 1 - phi as (d^2 + eps - 1) / q, the native (cancellation-free) forms
// of the package's `1 - estimator`; they are equal in exact arithmetic.
// Where q = d^2 + eps is 0 (eps = 0 and coincident points) phi = inf: the
// native code clamps it without a gradient; here such entries are masked
// before the division so that the backward pass stays finite.
//
// Layout (the package's `features`): Y_rows is 2b x dim, rows [0, b) the
// heads and [b, 2b) the tails of the batch's b edges; negative_rows is a
// b x m int64 tensor of row indices into Y_rows (the negatives of head row r,
// never r itself). Column 0 of the per-head distance table is the positive
// pair (r, r + b), as in make_neighbor_indices.

#include "engine/ne/cne_batch_sampler.h"
#include "engine/ne/cne_loss.h"

#include <torch/torch.h>

#include <variant>

namespace nebench {

/// One of the four losses with its parameters; the torch expressions read
/// the same fields as the native policies of engine/ne/cne_loss.h. NceLoss:
/// `negatives` is m (the code uses min(m, 2b - 1)), `log_z` is the value
/// used when no log Z tensor is passed.
using CneLossConfig = std::variant<NegLoss, NceLoss, InfoNceLoss, UmapLoss>;

/// The summed loss of one batch. Y_rows: 2b x dim (floating point, any
/// device); negative_rows: b x m int64 on Y_rows' device; log_z: a scalar
/// tensor of Y_rows' dtype and device for nce (the learnable log Z; an
/// undefined tensor uses NceLoss::log_z as a constant), ignored by the other
/// losses. Returns a 0-dim tensor; autograd gives dl/dY_rows and dl/dlog_z.
/// Throws NebenchError for inconsistent shapes.
torch::Tensor cne_torch_batch_loss(const CneLossConfig &loss,
                                   const torch::Tensor &Y_rows,
                                   const torch::Tensor &negative_rows,
                                   const torch::Tensor &log_z = {});

/// The 2b points of a native batch's rows as an int64 tensor (CPU).
torch::Tensor cne_batch_points(const CneBatch &batch);

/// The b x m negative rows of a native batch as an int64 tensor (CPU); in
/// full-batch mode the implicit rows (all but r and r + b) are written out.
torch::Tensor cne_batch_negative_rows(const CneBatch &batch);

/// The c of the NEG estimator sigma = 1 / (1 + c q) (the trace column "c",
/// as CneOptimizer::neg_c): NegLoss its c, NceLoss m exp(log Z) with m =
/// min(negatives, 2b - 1) for batches of `batch_edges` edges, NaN for
/// InfoNCE and UMAP.
double cne_neg_c(const CneLossConfig &loss, int batch_edges);

} // namespace nebench
