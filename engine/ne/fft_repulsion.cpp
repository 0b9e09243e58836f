#include "engine/ne/fft_repulsion.h"

#include "engine/core/errors.h"

#include <fftw3.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <string>

namespace nebench {

namespace {

constexpr int kMaxInterp = 16;
/// Sums on the grid: K1 * 1, K1 * x, K1 * y (forces) and K2 * 1 (Z).
constexpr int kSums = 4;
/// Distinct charge grids: 1, x, y (the sums K1 * 1 and K2 * 1 share one).
constexpr int kCharges = 3;

/// Storage from fftwf_malloc (SIMD-aligned, so every buffer has the
/// alignment the cached plans were made with: FFTW's new-array execute
/// requires it). Grows, never shrinks.
template <class T> class FftwArray {
public:
  FftwArray() = default;
  FftwArray(const FftwArray &) = delete;
  FftwArray &operator=(const FftwArray &) = delete;
  ~FftwArray() { fftwf_free(data_); }
  /// Makes room for `count` elements; the contents are lost on growth.
  void reserve(std::size_t count) {
    if (count <= capacity_)
      return;
    fftwf_free(data_);
    data_ = nullptr;
    capacity_ = 0;
    // Headroom: the grid grows by small steps while the embedding expands.
    const std::size_t cap = count + count / 4;
    data_ = static_cast<T *>(fftwf_malloc(cap * sizeof(T)));
    if (!data_)
      throw NebenchError("FFT repulsion: out of memory allocating " +
                         std::to_string(cap * sizeof(T) >> 20) + " MiB");
    capacity_ = cap;
  }
  T *get() const { return data_; }

private:
  T *data_ = nullptr;
  std::size_t capacity_ = 0;
};

/// Grid geometry for m nodes per axis: circulant size N = 2m, padded row
/// strides of the real grids and of the half spectra.
struct Layout {
  int m = 0;
  int N = 0;            ///< FFT length per axis
  std::int64_t rs = 0;  ///< real row stride (floats), >= N, multiple of 16
  std::int64_t cs = 0;  ///< complex row stride, >= m + 1, multiple of 4
  std::int64_t kn = 0;  ///< kernel quarter grid side, m + 1
  explicit Layout(int m_) : m(m_), N(2 * m_) {
    rs = (N + 15) / 16 * 16;
    cs = (m + 1 + 3) / 4 * 4;
    kn = m + 1;
  }
  std::size_t real_size() const { return static_cast<std::size_t>(m) * rs; }
  std::size_t spectrum_size() const { return static_cast<std::size_t>(N) * cs; }
  std::size_t kernel_size() const { return static_cast<std::size_t>(kn) * kn; }
};

/// The five transforms of one grid size (see the header for the pruning).
struct Plans {
  fftwf_plan row_r2c = nullptr; ///< m rows, real (stride rs) -> half spectra
  fftwf_plan col_fwd = nullptr; ///< m + 1 columns of length N, in place
  fftwf_plan col_bwd = nullptr; ///< inverse of col_fwd (unnormalized)
  fftwf_plan row_c2r = nullptr; ///< m rows, half spectra -> real
  fftwf_plan dct = nullptr;     ///< 2-D DCT-I of the (m+1)^2 kernel quarter
};

/// Process-wide plan cache: one set per grid size, made on first use with
/// FFTW_ESTIMATE (cheap, does not touch the arrays) and kept for the life of
/// the process (a few KiB each). The FFTW planner is not thread-safe; the
/// mutex serializes every planner call of this library (nothing else in
/// nebench plans single-precision transforms).
const Plans &plans_for(const Layout &L, float *real, fftwf_complex *spectrum,
                       float *kernel) {
  static std::mutex mutex;
  static std::map<int, Plans> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(L.m);
  if (it != cache.end())
    return it->second;
  const int N = L.N, m = L.m, kn = static_cast<int>(L.kn);
  const int rs = static_cast<int>(L.rs), cs = static_cast<int>(L.cs);
  const unsigned flags = FFTW_ESTIMATE;
  Plans p;
  p.row_r2c = fftwf_plan_many_dft_r2c(1, &N, m, real, nullptr, 1, rs,
                                      spectrum, nullptr, 1, cs, flags);
  p.col_fwd = fftwf_plan_many_dft(1, &N, m + 1, spectrum, nullptr, cs, 1,
                                  spectrum, nullptr, cs, 1, FFTW_FORWARD,
                                  flags);
  p.col_bwd = fftwf_plan_many_dft(1, &N, m + 1, spectrum, nullptr, cs, 1,
                                  spectrum, nullptr, cs, 1, FFTW_BACKWARD,
                                  flags);
  p.row_c2r = fftwf_plan_many_dft_c2r(1, &N, m, spectrum, nullptr, 1, cs,
                                      real, nullptr, 1, rs, flags);
  p.dct = fftwf_plan_r2r_2d(kn, kn, kernel, kernel, FFTW_REDFT00,
                            FFTW_REDFT00, flags);
  if (!p.row_r2c || !p.col_fwd || !p.col_bwd || !p.row_c2r || !p.dct)
    throw NebenchError("FFT repulsion: FFTW could not plan transforms of size " +
                       std::to_string(N));
  return cache.emplace(L.m, p).first->second;
}

} // namespace

struct FftRepulsion::Buffers {
  FftwArray<float> grids[kSums];                ///< charges in, sums out
  FftwArray<float> kernels[2];                  ///< K1, K2 -> their spectra
  FftwArray<fftwf_complex> spectra[kCharges];   ///< charge spectra
  std::vector<FftwArray<fftwf_complex>> work{}; ///< one per thread slot
  const Plans *plans = nullptr;
  int planned_m = 0;
};

int FftRepulsion::smooth_size(int n) {
  if (n < 1)
    n = 1;
  for (;; ++n) {
    int r = n;
    for (int f : {2, 3, 5})
      while (r % f == 0)
        r /= f;
    if (r == 1)
      return n;
  }
}

FftRepulsion::FftRepulsion(const FftRepulsionParams &params)
    : params_(params), buf_(std::make_unique<Buffers>()) {
  if (params.n_interp < 1 || params.n_interp > kMaxInterp)
    throw NebenchError("FFT repulsion: n_interp must be in [1, " +
                       std::to_string(kMaxInterp) + "], got " +
                       std::to_string(params.n_interp));
  if (params.min_intervals < 1)
    throw NebenchError("FFT repulsion: min_intervals must be >= 1, got " +
                       std::to_string(params.min_intervals));
  if (params.max_intervals < params.min_intervals)
    throw NebenchError("FFT repulsion: max_intervals (" +
                       std::to_string(params.max_intervals) +
                       ") must be >= min_intervals (" +
                       std::to_string(params.min_intervals) + ")");
  if (!(params.ints_in_interval > 0) || !std::isfinite(params.ints_in_interval))
    throw NebenchError("FFT repulsion: ints_in_interval must be > 0, got " +
                       std::to_string(params.ints_in_interval));
  if (!(params.dof > 0) || !std::isfinite(params.dof))
    throw NebenchError("FFT repulsion: dof must be > 0, got " +
                       std::to_string(params.dof));
  // Nodes at the centres of p equal sub-intervals of the unit box (as in
  // FIt-SNE): t_k = (k + 1/2) / p, so the grid is uniform across boxes.
  const int p = params.n_interp;
  node_inv_denominator_.resize(p);
  for (int k = 0; k < p; ++k) {
    double den = 1;
    for (int l = 0; l < p; ++l)
      if (l != k)
        den *= (k - l) / static_cast<double>(p);
    node_inv_denominator_[k] = 1.0 / den;
  }
}

FftRepulsion::~FftRepulsion() = default;

void FftRepulsion::prepare_grid(double lo_x, double lo_y, double extent) {
  const double raw = std::ceil(extent / params_.ints_in_interval);
  int boxes = params_.min_intervals;
  if (raw > boxes)
    boxes = raw >= params_.max_intervals ? params_.max_intervals
                                         : static_cast<int>(raw);
  boxes = smooth_size(boxes);
  if (boxes > params_.max_intervals) {
    // The largest smooth count within the cap.
    boxes = params_.max_intervals;
    while (smooth_size(boxes) != boxes)
      --boxes;
  }
  n_boxes_ = boxes;
  m_ = boxes * params_.n_interp;
  lo_x_ = lo_x;
  lo_y_ = lo_y;
  box_ = extent / boxes;

  const Layout L(m_);
  Buffers &b = *buf_;
  for (auto &g : b.grids)
    g.reserve(L.real_size());
  for (auto &k : b.kernels)
    k.reserve(L.kernel_size());
  for (auto &s : b.spectra)
    s.reserve(L.spectrum_size());
  const int slots = std::clamp(omp_get_max_threads(), 1, kSums);
  if (static_cast<int>(b.work.size()) < slots)
    b.work = std::vector<FftwArray<fftwf_complex>>(slots);
  for (auto &w : b.work)
    w.reserve(L.spectrum_size());
  if (b.planned_m != m_) {
    b.plans = &plans_for(L, b.grids[0].get(), b.spectra[0].get(),
                         b.kernels[0].get());
    b.planned_m = m_;
  }
}

// Kernel values at node offsets (i, j) h, h = box / p, on the quarter grid
// [0, m]^2, scaled by 1/N^2 (FFTW's inverse is unnormalized). The circulant
// embedding of the node-to-node kernel matrix is the even extension of this
// quarter grid to N x N, whose DFT is real and equals the 2-D DCT-I of the
// quarter (FFTW REDFT00: Y_k = X_0 + (-1)^k X_m + 2 sum_{j=1}^{m-1} X_j
// cos(pi j k / m) = sum_{j=0}^{N-1} X_{|j|} e^{-2 pi i j k / N}).
void FftRepulsion::kernel_spectra() {
  const Layout L(m_);
  const std::int64_t kn = L.kn;
  const double h = box_ / params_.n_interp;
  const double h2 = h * h, a = params_.dof;
  const double scale = 1.0 / (static_cast<double>(L.N) * L.N);
  float *k1 = buf_->kernels[0].get(), *k2 = buf_->kernels[1].get();
  const bool cauchy = a == 1.0;
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < kn; ++i)
    for (std::int64_t j = 0; j < kn; ++j) {
      const double d2 = h2 * static_cast<double>(i * i + j * j);
      double w, base;
      if (cauchy) {
        base = 1.0 / (1.0 + d2);
        w = base;
      } else {
        base = 1.0 / (1.0 + d2 / a);
        w = std::pow(base, a);
      }
      k1[i * kn + j] = static_cast<float>(w * base * scale);
      k2[i * kn + j] = static_cast<float>(w * scale);
    }
}

// Steps 1 of the header: bucket the points by box (stable counting sort),
// compute their Lagrange weights, and accumulate the charges 1, x, y on the
// nodes of each box.
void FftRepulsion::spread(const MatrixD &Y) {
  const std::int64_t n = Y.rows;
  const int nb = n_boxes_, p = params_.n_interp;
  const std::int64_t nboxes = static_cast<std::int64_t>(nb) * nb;
  const double *y = Y.data.data();
  const double inv_box = 1.0 / box_;
  const double lo_x = lo_x_, lo_y = lo_y_;
  const double mid = 0.5 * box_ * nb;

  box_of_.resize(n);
  order_.resize(n);
  cx_.resize(n);
  cy_.resize(n);
  wx_.resize(n * p);
  wy_.resize(n * p);
  box_start_.assign(nboxes + 1, 0);

#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const int bx = std::min(
        static_cast<int>((y[2 * i] - lo_x) * inv_box), nb - 1);
    const int by = std::min(
        static_cast<int>((y[2 * i + 1] - lo_y) * inv_box), nb - 1);
    box_of_[i] = by * nb + bx;
  }
  // Stable counting sort: within a box, points stay in index order, so the
  // sums below do not depend on the thread count.
  for (std::int64_t i = 0; i < n; ++i)
    ++box_start_[box_of_[i] + 1];
  for (std::int64_t b = 0; b < nboxes; ++b)
    box_start_[b + 1] += box_start_[b];
  for (std::int64_t i = 0; i < n; ++i)
    order_[box_start_[box_of_[i]]++] = static_cast<std::int32_t>(i);
  for (std::int64_t b = nboxes; b > 0; --b)
    box_start_[b] = box_start_[b - 1];
  box_start_[0] = 0;

  const double *inv_den = node_inv_denominator_.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t s = 0; s < n; ++s) {
    const std::int64_t i = order_[s];
    const int b = box_of_[i];
    const int bx = b % nb, by = b / nb;
    // Position inside the box in [0, 1] (1 only on the far edge).
    const double tx = (y[2 * i] - lo_x) * inv_box - bx;
    const double ty = (y[2 * i + 1] - lo_y) * inv_box - by;
    for (int k = 0; k < p; ++k) {
      double lx = inv_den[k], ly = inv_den[k];
      for (int l = 0; l < p; ++l)
        if (l != k) {
          const double t = (l + 0.5) / p;
          lx *= tx - t;
          ly *= ty - t;
        }
      wx_[s * p + k] = lx;
      wy_[s * p + k] = ly;
    }
    // Charges relative to the grid centre keep |x| small for float sums.
    cx_[s] = y[2 * i] - lo_x - mid;
    cy_[s] = y[2 * i + 1] - lo_y - mid;
  }

  const Layout L(m_);
  const std::int64_t rs = L.rs;
  float *g[kCharges];
  for (int c = 0; c < kCharges; ++c)
    g[c] = buf_->grids[c].get();
#pragma omp parallel for schedule(dynamic, 1)
  for (int by = 0; by < nb; ++by) {
    // Node rows by*p .. by*p+p-1 belong to this box row only; clear their
    // zero padding (columns m .. rs), which the inverse transform overwrote.
    for (int c = 0; c < kCharges; ++c)
      for (int r = 0; r < p; ++r)
        std::fill(g[c] + (static_cast<std::int64_t>(by) * p + r) * rs + m_,
                  g[c] + (static_cast<std::int64_t>(by) * p + r + 1) * rs,
                  0.0f);
    for (int bx = 0; bx < nb; ++bx) {
      const std::int64_t b = static_cast<std::int64_t>(by) * nb + bx;
      double acc[kCharges][kMaxInterp][kMaxInterp];
      for (int c = 0; c < kCharges; ++c)
        for (int r = 0; r < p; ++r)
          for (int k = 0; k < p; ++k)
            acc[c][r][k] = 0.0;
      for (std::int32_t s = box_start_[b]; s < box_start_[b + 1]; ++s) {
        const double *lx = &wx_[static_cast<std::int64_t>(s) * p];
        const double *ly = &wy_[static_cast<std::int64_t>(s) * p];
        const double qx = cx_[s], qy = cy_[s];
        for (int r = 0; r < p; ++r)
          for (int k = 0; k < p; ++k) {
            const double w = ly[r] * lx[k];
            acc[0][r][k] += w;
            acc[1][r][k] += w * qx;
            acc[2][r][k] += w * qy;
          }
      }
      for (int c = 0; c < kCharges; ++c)
        for (int r = 0; r < p; ++r) {
          float *row = g[c] + (static_cast<std::int64_t>(by) * p + r) * rs +
                       static_cast<std::int64_t>(bx) * p;
          for (int k = 0; k < p; ++k)
            row[k] = static_cast<float>(acc[c][r][k]);
        }
    }
  }
}

// Step 2: the three charge grids are transformed once; the four sums are
// (charge spectrum) x (kernel spectrum), transformed back. Each transform is
// one task on one thread (FFTW's execute is thread-safe); its result does
// not depend on which thread runs it.
void FftRepulsion::convolve() {
  const Layout L(m_);
  Buffers &b = *buf_;
  const Plans &P = *b.plans;
  const int N = L.N;
  const std::int64_t cs = L.cs, kn = L.kn;
  // Thread slots, each with its own work spectrum (prepare_grid made them).
  const int slots = std::clamp(omp_get_max_threads(), 1, kSums);

  // Stage 1: the two kernel DCTs and the three forward transforms.
#pragma omp parallel for schedule(dynamic, 1) num_threads(slots)
  for (int task = 0; task < 2 + kCharges; ++task) {
    if (task < 2) {
      float *k = b.kernels[task].get();
      fftwf_execute_r2r(P.dct, k, k);
      continue;
    }
    const int c = task - 2;
    fftwf_complex *spec = b.spectra[c].get();
    fftwf_execute_dft_r2c(P.row_r2c, b.grids[c].get(), spec);
    // Rows m .. N of the padded grid are zero, so are their row transforms.
    std::memset(spec + static_cast<std::int64_t>(m_) * cs, 0,
                sizeof(fftwf_complex) * static_cast<std::size_t>(N - m_) * cs);
    fftwf_execute_dft(P.col_fwd, spec, spec);
  }

  // Stage 2: sum s = (charge, kernel): (1, K1), (x, K1), (y, K1), (1, K2).
  static constexpr int kCharge[kSums] = {0, 1, 2, 0};
  static constexpr int kKernel[kSums] = {0, 0, 0, 1};
#pragma omp parallel for schedule(dynamic, 1) num_threads(slots)
  for (int s = 0; s < kSums; ++s) {
    fftwf_complex *work = b.work[omp_get_thread_num()].get();
    const fftwf_complex *spec = b.spectra[kCharge[s]].get();
    const float *khat = b.kernels[kKernel[s]].get();
    for (int r = 0; r < N; ++r) {
      // The kernel spectrum is even: row r equals row N - r.
      const float *kr = khat + static_cast<std::int64_t>(r <= m_ ? r : N - r) * kn;
      const fftwf_complex *in = spec + static_cast<std::int64_t>(r) * cs;
      fftwf_complex *out = work + static_cast<std::int64_t>(r) * cs;
      for (int c = 0; c <= m_; ++c) {
        out[c][0] = in[c][0] * kr[c];
        out[c][1] = in[c][1] * kr[c];
      }
    }
    fftwf_execute_dft(P.col_bwd, work, work);
    fftwf_execute_dft_c2r(P.row_c2r, work, b.grids[s].get());
  }
}

// Step 3: every point interpolates the four sums from its box's nodes.
double FftRepulsion::interpolate(MatrixD &forces) {
  const std::int64_t n = forces.rows;
  const int nb = n_boxes_, p = params_.n_interp;
  const std::int64_t rs = Layout(m_).rs;
  const float *g[kSums];
  for (int s = 0; s < kSums; ++s)
    g[s] = buf_->grids[s].get();
  double *f = forces.data.data();
  row_z_.resize(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t s = 0; s < n; ++s) {
    const std::int64_t i = order_[s];
    const int b = box_of_[i];
    const std::int64_t x0 = static_cast<std::int64_t>(b % nb) * p;
    const std::int64_t y0 = static_cast<std::int64_t>(b / nb) * p;
    const double *lx = &wx_[s * p];
    const double *ly = &wy_[s * p];
    double phi[kSums] = {0, 0, 0, 0};
    for (int r = 0; r < p; ++r) {
      const std::int64_t off = (y0 + r) * rs + x0;
      for (int k = 0; k < p; ++k) {
        const double w = ly[r] * lx[k];
        for (int t = 0; t < kSums; ++t)
          phi[t] += w * g[t][off + k];
      }
    }
    // forces(i) = sum_j K1_ij (y_i - y_j) = y_i phi_1 - phi_y (centred).
    f[2 * i] = cx_[s] * phi[0] - phi[1];
    f[2 * i + 1] = cy_[s] * phi[0] - phi[2];
    row_z_[i] = phi[3];
  }
  double Z = 0;
  for (std::int64_t i = 0; i < n; ++i)
    Z += row_z_[i];
  // Remove the self terms w_ii = K2(0) = 1.
  return Z - static_cast<double>(n);
}

double FftRepulsion::compute(const MatrixD &Y, MatrixD &forces) {
  if (Y.cols != 2)
    throw NebenchError("FFT repulsion needs a 2-D embedding, got " +
                       std::to_string(Y.cols) + " dimensions");
  if (Y.rows > std::numeric_limits<std::int32_t>::max())
    throw NebenchError("FFT repulsion: too many points (" +
                       std::to_string(Y.rows) + ")");
  if (forces.rows != Y.rows || forces.cols != Y.cols)
    forces = MatrixD(Y.rows, Y.cols);
  const std::int64_t n = Y.rows;
  if (n < 2) {
    std::fill(forces.data.begin(), forces.data.end(), 0.0);
    return 0.0;
  }
  double lo_x = Y(0, 0), hi_x = lo_x, lo_y = Y(0, 1), hi_y = lo_y;
  bool finite = true;
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = Y.data[2 * i], v = Y.data[2 * i + 1];
    finite = finite && std::isfinite(x) && std::isfinite(v);
    lo_x = std::min(lo_x, x);
    hi_x = std::max(hi_x, x);
    lo_y = std::min(lo_y, v);
    hi_y = std::max(hi_y, v);
  }
  if (!finite)
    throw NumericalError("FFT repulsion: the embedding contains NaN or Inf");
  // One square grid over both axes (square boxes keep the node spacing
  // isotropic); a degenerate extent (all points on one spot) gets a tiny box.
  double extent = std::max(hi_x - lo_x, hi_y - lo_y);
  const double scale = std::max({1.0, std::fabs(lo_x), std::fabs(lo_y)});
  extent = std::max(extent, 1e-6 * scale);
  prepare_grid(lo_x, lo_y, extent);
  kernel_spectra();
  spread(Y);
  convolve();
  return interpolate(forces);
}

} // namespace nebench
