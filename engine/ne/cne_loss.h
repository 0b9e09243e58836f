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
// Policy concept (what cne_batch_gradient() calls), one head row at a time:
//   template <bool kLoss> double row(const double *d2, int count,
//                                    double *coef, double &dlogz) const
//     d2[0] the positive pair's squared distance, d2[1..count-1] those of
//     the negatives; returns the row's loss (0 when kLoss is false: the
//     logarithms are a quarter of an epoch's time and only logged epochs
//     need the value) and writes coef[t] = dl/d(d2[t]); adds dl/d(log Z)
//     to dlogz (nce only).
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

/// -log(clamp(x, lo, 1)) (0 when kLoss is false: the value is skipped)
/// and whether x lies in [lo, 1] (the gradient passes).
template <bool kLoss>
inline double neg_log_clamped(double x, double lo, bool &inside) {
  inside = x >= lo && x <= 1.0;
  if constexpr (kLoss)
    return -std::log(std::min(std::max(x, lo), 1.0));
  else
    return 0.0;
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
  /// dl/d(log c) = c q sigma = 1 - sigma.
  template <bool kLoss = true>
  double positive(double d2, double &coef, double &dlogc) const {
    const double q = d2 + eps;
    const double sigma = 1.0 / (1.0 + c * q);
    bool in;
    const double l = cne_detail::neg_log_clamped<kLoss>(sigma, clamp_low, in);
    coef = in ? c * sigma : 0.0;
    dlogc = in ? c * q * sigma : 0.0;
    return l;
  }
  /// Repulsion: 1 - sigma = c q sigma (no cancellation), l = -log(1 -
  /// sigma) = log(1 + c q) - log(c q), dl/dq = -sigma / q; dlogc = -sigma.
  template <bool kLoss = true>
  double negative(double d2, double &coef, double &dlogc) const {
    const double q = d2 + eps;
    const double sigma = 1.0 / (1.0 + c * q);
    bool in;
    const double l =
        cne_detail::neg_log_clamped<kLoss>(c * q * sigma, clamp_low, in);
    coef = in ? -sigma / q : 0.0;
    dlogc = in ? -sigma : 0.0;
    return l;
  }

  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef,
             double & /*dlogz*/) const {
    double unused;
    double l = positive<kLoss>(d2[0], coef[0], unused);
    for (int t = 1; t < count; ++t)
      l += negative<kLoss>(d2[t], coef[t], unused);
    return l;
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
  double row(const double *d2, int count, double *coef, double &dlogz) const {
    double dlogc;
    double l = neg.positive<kLoss>(d2[0], coef[0], dlogc);
    dlogz += dlogc;
    for (int t = 1; t < count; ++t) {
      l += neg.negative<kLoss>(d2[t], coef[t], dlogc);
      dlogz += dlogc;
    }
    return l;
  }
};

/// The UMAP loss of the cne package (loss_mode "umap", a = b = 1):
/// phi = 1 / (d^2 + eps), l = -log phi_ij - sum_t log(1 - phi_ijt).
struct UmapLoss {
  double eps = 1.0;         ///< kernel offset (1: UMAP's a = b = 1 curve)
  double clamp_low = 1e-10; ///< lower clamp of log arguments

  void prepare(int /*batch_edges*/) {}

  /// l = -log phi = log q, dl/dq = 1 / q (phi in [low, 1]).
  template <bool kLoss = true> double positive(double d2, double &coef) const {
    const double q = d2 + eps;
    if (!(q > 0)) { // phi = inf, clamped to 1
      coef = 0.0;
      return 0.0;
    }
    bool in;
    const double l = cne_detail::neg_log_clamped<kLoss>(1.0 / q, clamp_low, in);
    coef = in ? 1.0 / q : 0.0;
    return l;
  }
  /// 1 - phi = (q - 1) / q with q - 1 = d^2 + (eps - 1) (exact for eps =
  /// 1); l = log q - log(q - 1), dl/dq = -1 / (q (q - 1)).
  template <bool kLoss = true> double negative(double d2, double &coef) const {
    const double q = d2 + eps;
    const double qm1 = d2 + (eps - 1.0);
    if (!(q > 0)) { // 1 - phi = -inf, clamped to clamp_low
      coef = 0.0;
      return kLoss ? -std::log(clamp_low) : 0.0;
    }
    bool in;
    const double l = cne_detail::neg_log_clamped<kLoss>(qm1 / q, clamp_low, in);
    coef = in ? -1.0 / (q * qm1) : 0.0;
    return l;
  }

  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef,
             double & /*dlogz*/) const {
    double l = positive<kLoss>(d2[0], coef[0]);
    for (int t = 1; t < count; ++t)
      l += negative<kLoss>(d2[t], coef[t]);
    return l;
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

  /// With S = sum_t phi~_t and dphi/dq = -phi^2:
  ///   dl/dq_0 = s (phi_0 - phi_0^2 / (rho S)),
  ///   dl/dq_t = -s phi_t^2 / (rho S) for t >= 1,
  /// zero for a clamped phi. coef[] holds phi~ until the second pass.
  template <bool kLoss = true>
  double row(const double *d2, int count, double *coef,
             double & /*dlogz*/) const {
    double sum = 0.0;
    for (int t = 0; t < count; ++t) {
      const double q = d2[t] + eps;
      const double phi = q > 0 ? 1.0 / q : HUGE_VAL;
      // coef[t] = phi (unclamped) or -phi~ (clamped: no gradient); phi > 0.
      const bool in = phi >= clamp_low && phi <= 1.0;
      const double clamped = std::min(std::max(phi, clamp_low), 1.0);
      sum += clamped;
      coef[t] = in ? phi : -clamped;
    }
    double l = 0.0;
    if constexpr (kLoss)
      l = scale * (-std::log(std::fabs(coef[0])) + std::log(sum) / rho);
    const double inv = 1.0 / (rho * sum);
    for (int t = 0; t < count; ++t) {
      const double phi = coef[t];
      if (phi < 0) {
        coef[t] = 0.0;
        continue;
      }
      coef[t] = scale * ((t == 0 ? phi : 0.0) - phi * phi * inv);
    }
    return l;
  }
};

} // namespace nebench
