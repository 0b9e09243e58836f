#pragma once
// Metrics that compare one run's embedding with another run of the same spec
// (is_cross_run). The spectrum paper (papers/spectrum_and_cne.md section 2.3)
// places UMAP, ForceAtlas2 and Laplacian eigenmaps on the t-SNE exaggeration
// axis by sqrt(dCor^2_u) between each t-SNE(rho) embedding and theirs on
// 5,000 random points; the best-matching rho is the argmax over the sweep.
//
// These values need every run's embedding, so they are computed after the
// loop over runs, from the stored (float32) embeddings: a resumed run and a
// fresh one give the same value. The runner does the I/O (reading
// embeddings, persisting values); this file only decides what to compute.

#include "engine/core/matrix.h"
#include "metrics/metric_spec.h"
#include "metrics/summary_row.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace nebench {

/// The stored embedding of a run, by its id (SummaryRow::run_id).
using EmbeddingSource = std::function<Matrix(const std::string &run_id)>;

struct CrossRunResult {
  /// run id -> metric name -> value: only the values computed by this call,
  /// i.e. what the caller must persist (/runs/<id>/metrics).
  std::map<std::string, std::map<std::string, double>> added;
  /// One line per (metric, seed) left absent for a reason a user should see:
  /// the reference run of that seed failed or is not among the rows, or the
  /// distance correlation could not be computed.
  std::vector<std::string> warnings;
};

/// For every cross-run spec (others are ignored) and every row with status
/// "ok" that lacks the metric, computes
///   dcor_to_<R> = distance_correlation(emb_row, emb_ref, spec.points,
///                                      row.seed)
/// where ref is the row of run R (spec.run) with the same seed, and adds it
/// to row.metrics. Left absent: rows of R itself, rows that already hold the
/// metric (resume: not recomputed), and rows whose reference is failed,
/// missing (e.g. `--only`) or yields an error (warning). Each embedding is
/// read at most once per call. Throws NebenchError when the rows hold two
/// runs of R with one seed (R must be unswept, see MetricSpec::from_spec).
CrossRunResult compute_cross_run_metrics(const std::vector<MetricSpec> &specs,
                                         std::vector<SummaryRow> &rows,
                                         const EmbeddingSource &embedding);

} // namespace nebench
