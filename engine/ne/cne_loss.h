#pragma once
// The four losses of contrastive neighbor embedding (CNE; Damrich et al.,
// ICLR 2023, sec. 1.2 of papers/spectrum_and_cne.md), as policies of the CNE
// optimizer (engine/ne/cne_optimizer.h). They are written exactly as the
// paper's code (package cne, ContrastiveLoss.forward, metric "euclidean"):
// with q = d^2 + eps and the kernel phi = 1 / q (eps = 1: Cauchy; eps = 0:
// UMAP's implicit 1/d^2),
//   neg      sigma = 1 / (1 + c q)                       (= phi / (phi + c))
//            l = -log sigma_ij - sum_t log(1 - sigma_ijt)
//   nce      the same with c = m exp(log Z), log Z learned
//   umap     l = -log phi_ij - sum_t log(1 - phi_ijt)
//   infonce  l = s [-log phi_ij + (1/rho) log(phi_ij + sum_t phi_ijt)]
// Every log argument is clamped to [clamp_low, 1] as torch's clamp: the
// value uses the clamped argument and the gradient through a clamped
// argument is zero (torch passes it on the closed interval). For infonce
// each phi is clamped before the sum, as in the code.
//
// Policy concept (what cne_batch_gradient() calls), a block of head rows
// at a time:
//   template <bool kLoss> double rows(const double *d2_pos,
//       const double *d2_neg, int rows, int negatives, double *coef_pos,
//       double *coef_neg, double &dlogz) const
//     d2_pos[i] the squared distance of head row i's positive pair,
//     d2_neg[i * negatives + t] those of its negatives; writes coef_pos[i]
//     and coef_neg[i * negatives + t] = dl/d(d2) of each pair, adds
//     dl/d(log Z) to dlogz (nce only) and returns the rows' summed loss (0
//     when kLoss is false: the logarithms cost more than the gradient and
//     only logged epochs need the value). The positives and the negatives
//     are separate arrays so that the coefficient loops run over whole
//     blocks of rows (vectorised, no per-row overhead).
//   template <bool kLoss> double row(const double *d2, int count,
//       double *coef, double &dlogz) const
//     one head row: d2[0] the positive pair, d2[1..count-1] the negatives
//     (rows() with rows = 1).
//   void prepare(int batch_edges)   called before each batch.
// The pair gradient follows from d(d2)/dy_i = 2 (y_i - y_k).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace nebench {

/// The loss types of spec key "loss".
enum class CneLossType { neg, nce, infonce, umap };

/// "neg", "nce", "infonce", "umap".
inline std::string to_string(CneLossType t) {
  switch (t) {
  case CneLossType::neg:
    return "neg";
  case CneLossType::nce:
    return "nce";
  case CneLossType::infonce:
    return "infonce";
  case CneLossType::umap:
    return "umap";
  }
  return "?";
}

/// c of Neg-t-SNE from the fixed normaliser Z-bar: c = m Z-bar / |X| with
/// |X| = n^2, the code's convention (the paper writes n (n - 1); sec. 1.3
/// and sec. 3 item 5 of the notes). Z-bar = n^2 / m gives c = 1, plain
/// negative sampling (UMAP's implicit normalisation).
inline double cne_c_from_zbar(double zbar, int m, std::int64_t n) {
  const double nn = static_cast<double>(n);
  return static_cast<double>(m) * zbar / (nn * nn);
}

/// The inverse, Z-bar = c n^2 / m.
inline double cne_zbar_from_c(double c, int m, std::int64_t n) {
  const double nn = static_cast<double>(n);
  return c * nn * nn / static_cast<double>(m);
}

/// Z-bar implied by NCE's learned log Z. The code's estimator is
/// sigma = 1 / (1 + q exp(log Z) m), i.e. NEG with c = m exp(log Z); with
/// c = m Z-bar / n^2 this is Z-bar = exp(log Z) n^2 (the paper's Z = Z_code
/// |X|, Z_code = xi Z with xi = 1 / |X|).
inline double cne_zbar_from_log_z(double log_z, std::int64_t n) {
  const double nn = static_cast<double>(n);
  return std::exp(log_z) * nn * nn;
}

namespace cne_detail {

/// Whether a log argument x lies in [lo, 1], where torch's clamp passes the
/// gradient on (false for NaN). Both comparisons are evaluated, no short
/// circuit: one mask in the vectorised coefficient loops.
inline bool inside_clamp(double x, double lo) {
  return static_cast<bool>(static_cast<int>(x >= lo) &
                           static_cast<int>(x <= 1.0));
}

/// clamp(x, lo, 1). A NaN argument counts as lo: it only arises as 0 * inf
/// for a log argument that is exactly 0 (a coincident pair with eps = 0),
/// computed through the pair's one reciprocal.
inline double clamp_log_argument(double x, double lo) {
  return x > lo ? (x < 1.0 ? x : 1.0) : lo;
}

/// -log(clamp(x, lo, 1)), or 0 when kLoss is false (the value is skipped).
template <bool kLoss> inline double neg_log_clamped(double x, double lo) {
  if constexpr (kLoss)
    return -std::log(clamp_log_argument(x, lo));
  else
    return 0.0;
}

/// -sum_j log arg(j) over j in [0, n) for arguments in (0, 1], with a few
/// logarithms per call instead of one per pair: the arguments are
/// multiplied in 4 running products (independent chains), and a product is
/// folded into the sum before it could leave the normal range (a product
/// >= 1e-200 times an argument >= 1e-100 is >= 1e-300; a smaller argument,
/// only possible for a clamp_low below 1e-100, is logged alone).
template <class Arg> double neg_log_sum(int n, const Arg &arg) {
  double product[4] = {1.0, 1.0, 1.0, 1.0};
  double sum = 0.0;
  auto add = [&](double &p, double x) {
    if (x < 1e-100) {
      sum -= std::log(x);
      return;
    }
    p *= x;
    if (p < 1e-200) {
      sum -= std::log(p);
      p = 1.0;
    }
  };
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    add(product[0], arg(j));
    add(product[1], arg(j + 1));
    add(product[2], arg(j + 2));
    add(product[3], arg(j + 3));
  }
  for (; j < n; ++j)
    add(product[j & 3], arg(j));
  for (double p : product)
    if (p != 1.0)
      sum -= std::log(p);
  return sum;
}

} // namespace cne_detail

/// Neg-t-SNE (NEG with a fixed normaliser Z-bar): sigma =
/// 1 / (1 + c (d^2 + eps)).
struct NegLoss {
  double c = 1.0;           ///< m Z-bar / n^2 (1 = plain negative sampling)
  double eps = 1.0;         ///< kernel offset (1 Cauchy, 0 UMAP's 1/d^2)
  double clamp_low = 1e-10; ///< lower clamp of log arguments

  void prepare(int /*batch_edges*/) {}

  /// Attraction: l = -log sigma = log(1 + c q), dl/dq = c sigma; dlogc =
  /// dl/d(log c) = c q sigma = 1 - sigma. Returns the log argument sigma.
  /// One division per pair.
  double attraction(double d2, double &coef, double &dlogc) const {
    const double q = d2 + eps;
    const double cq = c * q;
    const double sigma = 1.0 / (1.0 + cq);
    const bool in = cne_detail::inside_clamp(sigma, clamp_low);
    coef = in ? c * sigma : 0.0;
    dlogc = in ? cq * sigma : 0.0;
    return sigma;
  }
  /// Repulsion: 1 - sigma = c q sigma (no cancellation), l = -log(1 -
  /// sigma) = log(1 + c q) - log(c q), dl/dq = -sigma / q; dlogc = -sigma.
  /// Returns the log argument 1 - sigma. One division per pair: w = sigma
  /// / q = 1 / (q (1 + c q)) gives sigma = q w and 1 - sigma = c q^2 w
  /// (NaN at q = 0: clamped, no gradient, as the exact 1 - sigma = 0).
  double repulsion(double d2, double &coef, double &dlogc) const {
    const double q = d2 + eps;
    const double cq = c * q;
    const double w = 1.0 / (q * (1.0 + cq));
    const double x = cq * q * w;
    const bool in = cne_detail::inside_clamp(x, clamp_low);
    coef = in ? -w : 0.0;
    dlogc = in ? -q * w : 0.0;
    return x;
  }

  /// The loss of one positive pair (attraction) and its coef, dlogc.
  template <bool kLoss = true>
  double positive(double d2, double &coef, double &dlogc) const {
    return cne_detail::neg_log_clamped<kLoss>(attraction(d2, coef, dlogc),
                                              clamp_low);
  }
  /// The loss of one negative pair (repulsion) and its coef, dlogc.
  template <bool kLoss = true>
  double negative(double d2, double &coef, double &dlogc) const {
    return cne_detail::neg_log_clamped<kLoss>(repulsion(d2, coef, dlogc),
                                              clamp_low);
  }

  /// With kDlogc: adds dl/d(log c) to dlogc_sum (nce), row by row.
  /// The value is a second pass (it recomputes the log arguments), so that
  /// the coefficient loops stay vectorised.
  template <bool kLoss = true, bool kDlogc = false>
  double rows(const double *d2_pos, const double *d2_neg, int rows,
              int negatives, double *coef_pos, double *coef_neg,
              double &dlogc_sum) const {
    double dlogc;
    const int pairs = rows * negatives;
    if constexpr (kDlogc) {
      // Summed row by row, positive first: the same order for any split of
      // the rows into blocks.
      for (int i = 0; i < rows; ++i) {
        attraction(d2_pos[i], coef_pos[i], dlogc);
        dlogc_sum += dlogc;
        for (int j = i * negatives; j < (i + 1) * negatives; ++j) {
          repulsion(d2_neg[j], coef_neg[j], dlogc);
          dlogc_sum += dlogc;
        }
      }
    } else {
      for (int i = 0; i < rows; ++i)
        attraction(d2_pos[i], coef_pos[i], dlogc);
      for (int j = 0; j < pairs; ++j)
        repulsion(d2_neg[j], coef_neg[j], dlogc);
    }
    if constexpr (kLoss) {
      using cne_detail::clamp_log_argument;
      double c, d;
      return cne_detail::neg_log_sum(rows,
                                     [&](int i) {
                                       return clamp_log_argument(
                                           attraction(d2_pos[i], c, d),
                                           clamp_low);
                                     }) +
             cne_detail::neg_log_sum(pairs, [&](int j) {
               return clamp_log_argument(repulsion(d2_neg[j], c, d), clamp_low);
             });
    } else {
      return 0.0;
    }
  }

  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef, double &dlogz) const {
    return rows<kLoss>(d2, d2 + 1, 1, count - 1, coef, coef + 1, dlogz);
  }
};

/// NC-t-SNE: NEG with c = m exp(log Z) and log Z learned (the code's form
/// sigma = 1 / (1 + (d^2 + eps) exp(log Z) m)), so dl/d(log Z) =
/// dl/d(log c). m is min(negatives, 2b - 1) of the batch, the code's
/// negative_samples (it differs from the number of negatives drawn only in
/// full-batch mode).
struct NceLoss {
  int negatives = 5;        ///< m
  double log_z = 0.0;       ///< log Z_code (the code starts at log 1 = 0)
  double eps = 1.0;         ///< kernel offset
  double clamp_low = 1e-10; ///< lower clamp of log arguments
  NegLoss neg;              ///< the NEG loss at the current c (prepare())

  void prepare(int batch_edges) {
    const int m = std::max(std::min(negatives, 2 * batch_edges - 1), 0);
    neg.c = static_cast<double>(m) * std::exp(log_z);
    neg.eps = eps;
    neg.clamp_low = clamp_low;
  }

  template <bool kLoss = true>
  double rows(const double *d2_pos, const double *d2_neg, int rows,
              int negatives, double *coef_pos, double *coef_neg,
              double &dlogz) const {
    return neg.rows<kLoss, true>(d2_pos, d2_neg, rows, negatives, coef_pos,
                                 coef_neg, dlogz);
  }

  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef, double &dlogz) const {
    return rows<kLoss>(d2, d2 + 1, 1, count - 1, coef, coef + 1, dlogz);
  }
};

/// The UMAP loss of the cne package (loss_mode "umap", a = b = 1):
/// phi = 1 / (d^2 + eps), l = -log phi_ij - sum_t log(1 - phi_ijt).
struct UmapLoss {
  double eps = 1.0;         ///< kernel offset (1: UMAP's a = b = 1 curve)
  double clamp_low = 1e-10; ///< lower clamp of log arguments

  void prepare(int /*batch_edges*/) {}

  /// l = -log phi = log q, dl/dq = 1 / q (phi in [low, 1]; q = 0 gives
  /// phi = inf, clamped to 1: no loss, no gradient). Returns phi.
  double attraction(double d2, double &coef) const {
    const double phi = 1.0 / (d2 + eps);
    coef = cne_detail::inside_clamp(phi, clamp_low) ? phi : 0.0;
    return phi;
  }
  /// 1 - phi = (q - 1) / q with q - 1 = d^2 + (eps - 1) (exact for eps =
  /// 1); l = log q - log(q - 1), dl/dq = -1 / (q (q - 1)). One division:
  /// w = 1 / (q (q - 1)) gives 1 - phi = (q - 1)^2 w, which is NaN or
  /// negative exactly where 1 - phi <= 0 (q - 1 <= 0; at q = 0, 1 - phi =
  /// -inf): clamped to clamp_low, no gradient. Returns 1 - phi.
  double repulsion(double d2, double &coef) const {
    const double q = d2 + eps;
    const double qm1 = d2 + (eps - 1.0);
    const double w = 1.0 / (q * qm1);
    const double x = qm1 * qm1 * w;
    coef = cne_detail::inside_clamp(x, clamp_low) ? -w : 0.0;
    return x;
  }

  template <bool kLoss = true> double positive(double d2, double &coef) const {
    return cne_detail::neg_log_clamped<kLoss>(attraction(d2, coef), clamp_low);
  }
  template <bool kLoss = true> double negative(double d2, double &coef) const {
    return cne_detail::neg_log_clamped<kLoss>(repulsion(d2, coef), clamp_low);
  }

  /// The value is a second pass, as NegLoss::rows().
  template <bool kLoss = true>
  double rows(const double *d2_pos, const double *d2_neg, int rows,
              int negatives, double *coef_pos, double *coef_neg,
              double & /*dlogz*/) const {
    for (int i = 0; i < rows; ++i)
      attraction(d2_pos[i], coef_pos[i]);
    const int pairs = rows * negatives;
    for (int j = 0; j < pairs; ++j)
      repulsion(d2_neg[j], coef_neg[j]);
    if constexpr (kLoss) {
      using cne_detail::clamp_log_argument;
      double c;
      return cne_detail::neg_log_sum(rows,
                                     [&](int i) {
                                       return clamp_log_argument(
                                           attraction(d2_pos[i], c), clamp_low);
                                     }) +
             cne_detail::neg_log_sum(pairs, [&](int j) {
               return clamp_log_argument(repulsion(d2_neg[j], c), clamp_low);
             });
    } else {
      return 0.0;
    }
  }

  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef, double &dlogz) const {
    return rows<kLoss>(d2, d2 + 1, 1, count - 1, coef, coef + 1, dlogz);
  }
};

/// InfoNC-t-SNE with the positive pair in the denominator (Sohn 2016; the
/// code's "infonce"): l = s [-log phi~_0 + (1/rho) log sum_t phi~_t],
/// phi~ = clamp(phi, clamp_low, 1), t = 0 the positive pair.
struct InfoNceLoss {
  double rho = 1.0;         ///< 1/rho weights the repulsion (paper: 1)
  double eps = 1.0;         ///< kernel offset
  double clamp_low = 1e-10; ///< lower clamp of each phi
  /// s: the code multiplies the Euclidean InfoNCE loss by temperature /
  /// base_temperature = 0.5 (ContrastiveEmbedding's default temperature,
  /// which the paper's scripts did not change); 1 = the plain loss.
  double scale = 0.5;

  void prepare(int /*batch_edges*/) {}

  /// Per head row, with S = sum_t phi~_t and dphi/dq = -phi^2:
  ///   dl/dq_0 = s (phi_0 - phi_0^2 / (rho S)),
  ///   dl/dq_t = -s phi_t^2 / (rho S) for t >= 1,
  /// zero for a clamped phi. The coefficients hold phi (unclamped) or
  /// -phi~ (clamped: no gradient; phi > 0) until the second pass.
  template <bool kLoss = true>
  double rows(const double *d2_pos, const double *d2_neg, int rows,
              int negatives, double *coef_pos, double *coef_neg,
              double & /*dlogz*/) const {
    auto kernel = [&](double d2, double &sum) {
      const double q = d2 + eps;
      const double phi = q > 0 ? 1.0 / q : HUGE_VAL;
      const double clamped = std::min(std::max(phi, clamp_low), 1.0);
      sum += clamped;
      return cne_detail::inside_clamp(phi, clamp_low) ? phi : -clamped;
    };
    auto finish = [&](double &coef, double inv, bool positive) {
      const double phi = coef;
      coef = phi < 0 ? 0.0 : scale * ((positive ? phi : 0.0) - phi * phi * inv);
    };
    double l = 0.0;
    for (int i = 0; i < rows; ++i) {
      double *cn = coef_neg + static_cast<std::size_t>(i) * negatives;
      const double *dn = d2_neg + static_cast<std::size_t>(i) * negatives;
      double sum = 0.0;
      coef_pos[i] = kernel(d2_pos[i], sum);
      for (int t = 0; t < negatives; ++t)
        cn[t] = kernel(dn[t], sum);
      if constexpr (kLoss)
        l += scale * (-std::log(std::fabs(coef_pos[i])) + std::log(sum) / rho);
      const double inv = 1.0 / (rho * sum);
      finish(coef_pos[i], inv, true);
      for (int t = 0; t < negatives; ++t)
        finish(cn[t], inv, false);
    }
    return l;
  }

  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef, double &dlogz) const {
    return rows<kLoss>(d2, d2 + 1, 1, count - 1, coef, coef + 1, dlogz);
  }
};

} // namespace nebench
