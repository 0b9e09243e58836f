#include "engine/torch/cne_torch_epoch.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <memory>
#include <string>
#include <vector>

namespace nebench {

CneTorchEpoch::CneTorchEpoch(const Csr &A, CneOptimizerParams params)
    : params_(std::move(params)), edges_(cne_directed_edges(A)),
      sampler_(edges_, params_.batch_size, params_.negatives) {
  if (!(params_.log_z_learning_rate >= 0))
    throw NebenchError("CNE (torch): log_z_learning_rate must be >= 0");
  if (!(params_.clip > 0))
    throw NebenchError("CNE (torch): the gradient clip must be > 0");
  batch_ = sampler_.make_batch();
}

double CneTorchEpoch::run_epoch(const CneLossConfig &loss, int phase, int epoch,
                                double lr, torch::Tensor &table,
                                torch::Tensor log_z) {
  if (!table.defined() || table.dim() != 2 || table.size(0) != edges_.n ||
      !table.requires_grad())
    throw NebenchError("CNE (torch): the table must be an n x dim leaf "
                       "tensor with requires_grad (n = " +
                       std::to_string(edges_.n) + ")");
  const bool nce = std::holds_alternative<NceLoss>(loss);
  if (nce && (!log_z.defined() || !log_z.requires_grad()))
    throw NebenchError("CNE (torch): loss nce needs a log Z tensor with "
                       "requires_grad");
  if (!nce)
    log_z = torch::Tensor();

  // The package's optimizer: group 0 the embedding at the annealed lr,
  // group 1 log Z at its fixed lr (momentum 0: SGD keeps no state, so one
  // optimizer per epoch is the same as one per run).
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{table},
                      std::make_unique<torch::optim::SGDOptions>(lr));
  if (nce)
    groups.emplace_back(std::vector<torch::Tensor>{log_z},
                        std::make_unique<torch::optim::SGDOptions>(
                            params_.log_z_learning_rate));
  torch::optim::SGD sgd(groups, torch::optim::SGDOptions(lr));

  const torch::Device device = table.device();
  Rng rng(params_.seed, cne_stream(phase, epoch));
  sampler_.start_epoch(rng);
  double total = 0.0;
  for (std::int64_t bi = 0; bi < sampler_.batches(); ++bi) {
    sampler_.fill(bi, batch_);
    const torch::Tensor points = cne_batch_points(batch_).to(device);
    const torch::Tensor negatives = cne_batch_negative_rows(batch_).to(device);
    sgd.zero_grad();
    // nn.Embedding's forward: a gather of the batch's rows; its backward
    // scatters (index_add) into the dense n x dim gradient.
    const torch::Tensor rows = table.index_select(0, points);
    const torch::Tensor l = cne_torch_batch_loss(loss, rows, negatives, log_z);
    l.backward();
    torch::nn::utils::clip_grad_value_(table, params_.clip);
    if (nce)
      torch::nn::utils::clip_grad_value_(log_z, params_.clip);
    sgd.step();
    total += l.item<double>(); // the package's losses.append(loss.item())
  }
  return total;
}

} // namespace nebench
