// CUDA check of the LibTorch CNE code (engine/torch/cne_torch_*.cpp) on a
// machine that has a CUDA LibTorch but not nebench's other dependencies:
// scripts/cuda-check.sh builds this file with the few engine sources it
// needs against the LibTorch of the local PyTorch. It checks
//  1. the summed batch loss and its gradients on CUDA against the CPU
//     (float64, all four losses, NCE's d/dlog Z), and
//  2. one non-parametric epoch on CUDA against the native C++ epoch
//     (engine/ne/cne_optimizer.h) from the same start, same batches,
// and times one epoch (NEG, b = 1024, m = 5, 70,000-point k = 15 graph):
// native (1 CPU thread), LibTorch CPU and LibTorch CUDA (float32). Exit code
// 1 when a comparison is outside its tolerance.

#include "bench/ring_graph.h"
#include "engine/core/rng.h"
#include "engine/ne/cne_loss.h"
#include "engine/ne/cne_optimizer.h"
#include "engine/torch/cne_torch_epoch.h"
#include "engine/torch/cne_torch_loss.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace nebench;

namespace {

int failures = 0;

void expect_close(const std::string &what, double err, double tol) {
  const bool ok = err <= tol;
  std::printf("%-58s max err %.3e (tol %.0e) %s\n", what.c_str(), err, tol,
              ok ? "ok" : "FAIL");
  failures += ok ? 0 : 1;
}

double max_abs_diff(const torch::Tensor &a, const torch::Tensor &b) {
  return (a.to(torch::kCPU) - b.to(torch::kCPU)).abs().max().item<double>();
}

torch::Tensor as_tensor(const MatrixD &Y, torch::Dtype dtype,
                        torch::Device device) {
  return torch::from_blob(const_cast<double *>(Y.data.data()), {Y.rows, Y.cols},
                          torch::kFloat64)
      .to(device, dtype);
}

template <class F> double seconds(F &&f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

void check_batch_losses(torch::Device cuda) {
  const RingInputs in = ring_inputs(3000, 3);
  const Csr &A = in.A;
  CneEdges edges = cne_directed_edges(A);
  CneBatchSampler sampler(edges, 256, 5);
  Rng rng(5);
  sampler.start_epoch(rng);
  CneBatch batch = sampler.make_batch();
  sampler.fill(0, batch);
  const MatrixD &Y = in.Y;
  const torch::Tensor points = cne_batch_points(batch);
  const torch::Tensor negatives = cne_batch_negative_rows(batch);
  NceLoss nce;
  nce.log_z = -3.0;
  const std::vector<std::pair<std::string, CneLossConfig>> losses = {
      {"neg (c = 0.1)", NegLoss{0.1, 1.0, 1e-10}},
      {"nce (log Z = -3)", nce},
      {"infonce", InfoNceLoss{}},
      {"umap", UmapLoss{}}};
  for (const auto &[name, loss] : losses) {
    torch::Tensor value[2], grad[2], dlogz[2];
    for (int d = 0; d < 2; ++d) {
      const torch::Device dev = d == 0 ? torch::Device(torch::kCPU) : cuda;
      torch::Tensor rows = as_tensor(Y, torch::kFloat64, dev)
                               .index_select(0, points.to(dev))
                               .detach()
                               .requires_grad_(true);
      torch::Tensor log_z =
          torch::full({}, -3.0, torch::dtype(torch::kFloat64).device(dev))
              .requires_grad_(true);
      value[d] = cne_torch_batch_loss(loss, rows, negatives.to(dev), log_z);
      value[d].backward();
      grad[d] = rows.grad();
      dlogz[d] = log_z.grad().defined() ? log_z.grad() : torch::zeros({});
    }
    const double scale = value[0].abs().item<double>() + 1.0;
    expect_close("batch loss, CUDA vs CPU, " + name,
                 max_abs_diff(value[0], value[1]) / scale, 1e-12);
    expect_close("batch gradient, CUDA vs CPU, " + name,
                 max_abs_diff(grad[0], grad[1]) /
                     (grad[0].abs().max().item<double>() + 1e-300),
                 1e-12);
    expect_close("d loss / d log Z, CUDA vs CPU, " + name,
                 max_abs_diff(dlogz[0], dlogz[1]) /
                     (dlogz[0].abs().item<double>() + 1.0),
                 1e-12);
  }
}

void check_and_time_epoch(torch::Device cuda) {
  const RingInputs in = ring_inputs(70000);
  const Csr &A = in.A;
  const MatrixD &start = in.Y;
  CneOptimizerParams p;
  p.batch_size = 1024;
  p.negatives = 5;
  p.seed = 1;
  NegLoss neg; // c = 1, eps = 1
  CneOptimizer native(A, p);
  MatrixD Y = start;
  const double t_native =
      seconds([&] { native.run_epoch(neg, 1, 0, 1.0, Y, true); });
  CneTorchEpoch runner(A, p);
  const CneLossConfig loss = neg;
  torch::Tensor table = as_tensor(start, torch::kFloat64, cuda);
  table.requires_grad_(true);
  runner.run_epoch(loss, 1, 0, 1.0, table);
  torch::Tensor native_t = as_tensor(Y, torch::kFloat64, torch::kCPU);
  expect_close("one epoch, LibTorch CUDA float64 vs native (abs, |y|~10)",
               max_abs_diff(table.detach(), native_t), 1e-6);
  double t_cuda = 0, t_cpu = 0;
  for (int rep = 0; rep < 2; ++rep) { // the first CUDA epoch warms up
    torch::Tensor f32 = as_tensor(start, torch::kFloat32, cuda);
    f32.requires_grad_(true);
    t_cuda = seconds([&] {
      runner.run_epoch(loss, 1, 1, 1.0, f32);
      torch::cuda::synchronize();
    });
  }
  torch::Tensor cpu32 = as_tensor(start, torch::kFloat32, torch::kCPU);
  cpu32.requires_grad_(true);
  t_cpu = seconds([&] { runner.run_epoch(loss, 1, 1, 1.0, cpu32); });
  std::printf("one NEG epoch, b = 1024, m = 5, %lld directed edges:\n",
              static_cast<long long>(native.edges().size()));
  std::printf("  native C++ (1 thread, double)      %8.3f s\n", t_native);
  std::printf("  LibTorch CPU (%d threads, float32)  %8.3f s  (native %.1fx "
              "faster)\n",
              torch::get_num_threads(), t_cpu, t_cpu / t_native);
  std::printf("  LibTorch CUDA (float32)            %8.3f s  (native %.1fx "
              "faster)\n",
              t_cuda, t_cuda / t_native);
}

} // namespace

int main() {
  if (!torch::cuda::is_available()) {
    std::printf("no CUDA device visible to LibTorch\n");
    return 2;
  }
  const torch::Device cuda(torch::kCUDA);
  std::printf("LibTorch %s, %zu CUDA device(s)\n", TORCH_VERSION,
              static_cast<std::size_t>(torch::cuda::device_count()));
  check_batch_losses(cuda);
  check_and_time_epoch(cuda);
  std::printf("%s\n", failures ? "CUDA CHECK FAILED" : "CUDA check ok");
  return failures ? 1 : 0;
}
