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
#include <type_traits>

namespace nebench {

namespace {

constexpr int kMaxInterp = 16;
/// Sums on the grid: K1 * 1, K1 * x, K1 * y (forces) and K2 * 1 (Z).
constexpr int kSums = 4;
/// Distinct charge grids: 1, x, y (the sums K1 * 1 and K2 * 1 share one).
constexpr int kCharges = 3;
/// Below these sizes a parallel region costs more than it saves (and much
/// more on oversubscribed cores); results do not depend on the choice.
constexpr std::int64_t kParallelPoints = 20000;
constexpr int kParallelNodes = 256;

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

/// Grid geometry for m nodes per axis: circulant size N = 2m and padded row
/// strides (multiples of 64 bytes keep every row SIMD-aligned).
///   real grids   m rows x N          (node row y, node column x)
///   half spectra m rows x (m + 1)    (row y, x frequency), after the row r2c
///   spectra      (m + 1) rows x N    (x frequency, y frequency), transposed
/// The transposed layout makes the second pass of the 2-D transform run over
/// contiguous rows too: FFTW's strided column transforms fall out of cache
/// for circulant sizes above ~800 and were 2-3x slower than transpose +
/// rows (2 MiB L2).
struct Layout {
  int m = 0;
  int N = 0;           ///< FFT length per axis
  std::int64_t rs = 0; ///< real row stride (floats)
  std::int64_t hs = 0; ///< half spectrum row stride (complex)
  std::int64_t ts = 0; ///< transposed spectrum row stride (complex)
  std::int64_t kn = 0; ///< kernel quarter grid side, m + 1
  explicit Layout(int m_) : m(m_), N(2 * m_) {
    rs = (N + 15) / 16 * 16;
    hs = (m + 1 + 7) / 8 * 8;
    ts = (N + 7) / 8 * 8;
    kn = m + 1;
  }
  std::size_t real_size() const { return static_cast<std::size_t>(m) * rs; }
  std::size_t half_size() const { return static_cast<std::size_t>(m) * hs; }
  std::size_t spectrum_size() const {
    return static_cast<std::size_t>(m + 1) * ts;
  }
  std::size_t kernel_size() const { return static_cast<std::size_t>(kn) * kn; }
};

/// The transforms of one grid size.
struct Plans {
  fftwf_plan row_r2c = nullptr; ///< m real rows -> half spectra
  fftwf_plan row_fwd = nullptr; ///< m + 1 transposed rows of length N
  fftwf_plan row_bwd = nullptr; ///< inverse of row_fwd (unnormalized)
  fftwf_plan row_c2r = nullptr; ///< m half spectra -> real rows
  fftwf_plan dct = nullptr;     ///< 2-D DCT-I of the (m+1)^2 kernel quarter
};

/// Process-wide plan cache: one set per grid size, made on first use with
/// FFTW_ESTIMATE (cheap, does not touch the arrays, and unlike FFTW_MEASURE
/// picks the same algorithm in every process, so results are reproducible)
/// and kept for the life of the process (a few KiB each). The FFTW planner
/// is not thread-safe; the mutex serializes every planner call of this
/// library (nothing else in nebench plans single-precision transforms). At
/// exit the plans and FFTW's planner state are freed (leak checkers).
class PlanCache {
public:
  PlanCache() = default;
  PlanCache(const PlanCache &) = delete;
  PlanCache &operator=(const PlanCache &) = delete;
  ~PlanCache() {
    for (auto &entry : cache_)
      destroy(entry.second);
    fftwf_cleanup();
  }

  const Plans &get(const Layout &L, float *real, fftwf_complex *half,
                   fftwf_complex *spectrum, float *kernel) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(L.m);
    if (it != cache_.end())
      return it->second;
    const int N = L.N, m = L.m, kn = static_cast<int>(L.kn);
    const int rs = static_cast<int>(L.rs), hs = static_cast<int>(L.hs);
    const int ts = static_cast<int>(L.ts);
    const unsigned flags = FFTW_ESTIMATE;
    Plans p;
    p.row_r2c = fftwf_plan_many_dft_r2c(1, &N, m, real, nullptr, 1, rs, half,
                                        nullptr, 1, hs, flags);
    p.row_fwd =
        fftwf_plan_many_dft(1, &N, m + 1, spectrum, nullptr, 1, ts, spectrum,
                            nullptr, 1, ts, FFTW_FORWARD, flags);
    p.row_bwd =
        fftwf_plan_many_dft(1, &N, m + 1, spectrum, nullptr, 1, ts, spectrum,
                            nullptr, 1, ts, FFTW_BACKWARD, flags);
    p.row_c2r = fftwf_plan_many_dft_c2r(1, &N, m, half, nullptr, 1, hs, real,
                                        nullptr, 1, rs, flags);
    p.dct = fftwf_plan_r2r_2d(kn, kn, kernel, kernel, FFTW_REDFT00,
                              FFTW_REDFT00, flags);
    if (!p.row_r2c || !p.row_fwd || !p.row_bwd || !p.row_c2r || !p.dct) {
      destroy(p);
      throw NebenchError(
          "FFT repulsion: FFTW could not plan transforms of size " +
          std::to_string(N));
    }
    return cache_.emplace(L.m, p).first->second;
  }

private:
  static void destroy(Plans &p) {
    for (fftwf_plan q : {p.row_r2c, p.row_fwd, p.row_bwd, p.row_c2r, p.dct})
      if (q)
        fftwf_destroy_plan(q);
  }

  std::mutex mutex_;
  std::map<int, Plans> cache_;
};

PlanCache &plan_cache() {
  static PlanCache cache;
  return cache;
}

/// Calls f(std::integral_constant<int, P>) with P = p for the common stencil
/// sizes (fixed trip counts let the compiler unroll the per-point loops and
/// keep the weights in registers) and P = 0 (run-time p) otherwise.
template <class F> void with_stencil(int p, F &&f) {
  switch (p) {
  case 2:
    return f(std::integral_constant<int, 2>{});
  case 3:
    return f(std::integral_constant<int, 3>{});
  case 4:
    return f(std::integral_constant<int, 4>{});
  case 5:
    return f(std::integral_constant<int, 5>{});
  default:
    return f(std::integral_constant<int, 0>{});
  }
}

/// dst[c * ds + r] = src[r * ss + c] for r < rows, c < cols, in cache
/// blocks.
void transpose(const fftwf_complex *src, std::int64_t ss, int rows, int cols,
               fftwf_complex *dst, std::int64_t ds) {
  constexpr int kBlock = 32;
  for (int r0 = 0; r0 < rows; r0 += kBlock)
    for (int c0 = 0; c0 < cols; c0 += kBlock) {
      const int r1 = std::min(rows, r0 + kBlock);
      const int c1 = std::min(cols, c0 + kBlock);
      for (int r = r0; r < r1; ++r)
        for (int c = c0; c < c1; ++c) {
          dst[c * ds + r][0] = src[r * ss + c][0];
          dst[c * ds + r][1] = src[r * ss + c][1];
        }
    }
}

} // namespace

struct FftRepulsion::Buffers {
  FftwArray<float> grids[kSums];              ///< charges in, sums out
  FftwArray<float> kernels[2];                ///< K1, K2 -> their spectra
  FftwArray<fftwf_complex> spectra[kCharges]; ///< charge spectra, transposed
  /// Per thread slot: a product spectrum and a half spectrum.
  std::vector<FftwArray<fftwf_complex>> work{}, half{};
  const Plans *plans = nullptr;
  int planned_m = 0;
  /// Grid (m, h) of the kernel spectra in `kernels` (0 = none yet), and
  /// whether their DCTs are still to be done.
  int kernel_m = 0;
  double kernel_h = 0;
  bool kernel_pending = false;
};

int FftRepulsion::smooth_size(int n) {
  if (n < 1)
    n = 1;
  for (;; ++n) {
    int r = n;
    for (int f : {2, 3})
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
  // Lagrange basis on the stencil nodes 0 .. p-1 (node units).
  const int p = params.n_interp;
  node_inv_denominator_.resize(p);
  for (int k = 0; k < p; ++k) {
    double den = 1;
    for (int l = 0; l < p; ++l)
      if (l != k)
        den *= k - l;
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
  // Node spacing rounded up to 2^(j/64) (1.1% steps): the grid may be up to
  // 1.1% larger than the bounding square, but the kernel spectra depend only
  // on (m, h) and can be reused while the embedding's extent changes little
  // (most of the optimization), which saves two 2-D DCTs per call.
  h_ = std::exp2(std::ceil(std::log2(extent / m_) * 64.0) / 64.0);
  if (!(h_ * m_ >= extent)) // guard against rounding in exp2/log2
    h_ = std::nextafter(extent / m_, std::numeric_limits<double>::infinity());

  const Layout L(m_);
  Buffers &b = *buf_;
  for (auto &g : b.grids)
    g.reserve(L.real_size());
  for (auto &k : b.kernels)
    k.reserve(L.kernel_size());
  for (auto &s : b.spectra)
    s.reserve(L.spectrum_size());
  const int slots = std::clamp(omp_get_max_threads(), 1, kSums);
  if (static_cast<int>(b.work.size()) < slots) {
    b.work = std::vector<FftwArray<fftwf_complex>>(slots);
    b.half = std::vector<FftwArray<fftwf_complex>>(slots);
  }
  for (auto &w : b.work)
    w.reserve(L.spectrum_size());
  for (auto &w : b.half)
    w.reserve(L.half_size());
  if (b.planned_m != m_) {
    b.plans = &plan_cache().get(L, b.grids[0].get(), b.half[0].get(),
                                b.spectra[0].get(), b.kernels[0].get());
    b.planned_m = m_;
  }
}

// Kernel values at node offsets (i, j) h on the quarter grid
// [0, m]^2, scaled by 1/N^2 (FFTW's inverse is unnormalized). The circulant
// embedding of the node-to-node kernel matrix is the even extension of this
// quarter grid to N x N, whose DFT is real and equals the 2-D DCT-I of the
// quarter (FFTW REDFT00: Y_k = X_0 + (-1)^k X_m + 2 sum_{j=1}^{m-1} X_j
// cos(pi j k / m) = sum_{j=0}^{N-1} X_{|j|} e^{-2 pi i j k / N}).
void FftRepulsion::kernel_spectra() {
  Buffers &b = *buf_;
  if (b.kernel_m == m_ && b.kernel_h == h_)
    return; // still valid (a deterministic function of m and h)
  b.kernel_m = m_;
  b.kernel_h = h_;
  b.kernel_pending = true;
  const Layout L(m_);
  const std::int64_t kn = L.kn;
  const double h2 = h_ * h_, a = params_.dof;
  const double scale = 1.0 / (static_cast<double>(L.N) * L.N);
  float *k1 = buf_->kernels[0].get(), *k2 = buf_->kernels[1].get();
  const bool cauchy = a == 1.0;
  const int p = params_.n_interp;
  // K2 at stencil offsets (i, j) h, 0 <= i, j < p, in double: the
  // self-interaction of a point through its stencil (interpolate()).
  self_kernel_.resize(static_cast<std::size_t>(p) * p);
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j)
      self_kernel_[i * p + j] = std::pow(1.0 + h2 * (i * i + j * j) / a, -a);
#pragma omp parallel for schedule(static) if (m_ >= kParallelNodes)
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
      // Flush values that would be float denormals (far tails of large
      // dof), which slow the transforms; they are < 1e-30 of the peak.
      const double v1 = w * base * scale, v2 = w * scale;
      k1[i * kn + j] = v1 < 1e-30 * scale ? 0.0f : static_cast<float>(v1);
      k2[i * kn + j] = v2 < 1e-30 * scale ? 0.0f : static_cast<float>(v2);
    }
}

// Step 1 of the header: bucket the points by the row of their stencil
// (stable counting sort), compute their Lagrange weights, and gather the
// charges 1, x, y on the nodes.
void FftRepulsion::spread(const MatrixD &Y) {
  const std::int64_t n = Y.rows;
  const int p = params_.n_interp, m = m_;
  const int starts = m - p + 1; // stencil positions per axis
  const double *y = Y.data.data();
  const double inv_h = 1.0 / h_;
  const double lo_x = lo_x_, lo_y = lo_y_;
  const double mid = 0.5 * h_ * m;
  // Node g sits at u = g + 1/2 in units of h from the corner; the stencil
  // of p nodes centred on u starts at floor(u - (p-1)/2), clamped to the
  // grid.
  const double shift = 0.5 * (p - 1);
  auto stencil = [&](double v) {
    return std::clamp(static_cast<int>(std::floor(v - shift)), 0, starts - 1);
  };

  row_of_.resize(n);
  sy_.resize(n);
  order_.resize(n);
  sx_.resize(n);
  cx_.resize(n);
  cy_.resize(n);
  wx_.resize(n * p);
  wy_.resize(n * p);
  row_start_.assign(starts + 1, 0);

#pragma omp parallel for schedule(static) if (n >= kParallelPoints)
  for (std::int64_t i = 0; i < n; ++i)
    row_of_[i] = stencil((y[2 * i + 1] - lo_y) * inv_h);
  // Stable counting sort by stencil row: within a row, points stay in index
  // order, so the gathered sums do not depend on the thread count.
  for (std::int64_t i = 0; i < n; ++i)
    ++row_start_[row_of_[i] + 1];
  for (int r = 0; r < starts; ++r)
    row_start_[r + 1] += row_start_[r];
  for (std::int64_t i = 0; i < n; ++i)
    order_[row_start_[row_of_[i]]++] = static_cast<std::int32_t>(i);
  for (int r = starts; r > 0; --r)
    row_start_[r] = row_start_[r - 1];
  row_start_[0] = 0;

  const double *inv_den = node_inv_denominator_.data();
  with_stencil(p, [&](auto tag) {
    constexpr int P = decltype(tag)::value;
    const int q = P > 0 ? P : p;
#pragma omp parallel for schedule(static) if (n >= kParallelPoints)
    for (std::int64_t s = 0; s < n; ++s) {
      const std::int64_t i = order_[s];
      const double ux = (y[2 * i] - lo_x) * inv_h;
      const double uy = (y[2 * i + 1] - lo_y) * inv_h;
      const int gx = stencil(ux), gy = stencil(uy);
      // Position in node units relative to the first stencil node.
      const double tx = ux - 0.5 - gx, ty = uy - 0.5 - gy;
      for (int k = 0; k < q; ++k) {
        double lx = inv_den[k], ly = inv_den[k];
        for (int l = 0; l < q; ++l)
          if (l != k) {
            lx *= tx - l;
            ly *= ty - l;
          }
        wx_[s * q + k] = lx;
        wy_[s * q + k] = ly;
      }
      sx_[s] = gx;
      sy_[s] = gy;
      // Charges relative to the grid centre keep |x| small for float sums.
      cx_[s] = y[2 * i] - lo_x - mid;
      cy_[s] = y[2 * i + 1] - lo_y - mid;
    }
  });
  const Layout L(m);
  const std::int64_t rs = L.rs;
  float *g[kCharges];
  for (int c = 0; c < kCharges; ++c)
    g[c] = buf_->grids[c].get();
  const int threads = omp_get_max_threads();
  row_acc_.resize(static_cast<std::size_t>(threads) * kCharges * m);
  // Gather: each node row R is owned by one thread, which adds the points
  // of the stencil rows R-p+1 .. R in row order, then in sorted order. No
  // two threads write the same node and the order of the additions is fixed.
  with_stencil(p, [&](auto tag) {
    constexpr int P = decltype(tag)::value;
    const int q = P > 0 ? P : p;
#pragma omp parallel for schedule(dynamic, 4) if (n >= kParallelPoints)
    for (int R = 0; R < m; ++R) {
      double *acc =
          row_acc_.data() +
          static_cast<std::size_t>(omp_get_thread_num()) * kCharges * m;
      std::fill(acc, acc + kCharges * m, 0.0);
      double *a0 = acc, *a1 = acc + m, *a2 = acc + 2 * m;
      for (int r = std::max(0, R - q + 1); r <= std::min(R, starts - 1); ++r) {
        const int b = R - r; // which of the point's p y-weights
        for (std::int32_t s = row_start_[r]; s < row_start_[r + 1]; ++s) {
          const double wyb = wy_[static_cast<std::int64_t>(s) * q + b];
          const double *lx = &wx_[static_cast<std::int64_t>(s) * q];
          const double qx = cx_[s], qy = cy_[s];
          const int c0 = sx_[s];
          for (int k = 0; k < q; ++k) {
            const double w = wyb * lx[k];
            a0[c0 + k] += w;
            a1[c0 + k] += w * qx;
            a2[c0 + k] += w * qy;
          }
        }
      }
      for (int c = 0; c < kCharges; ++c) {
        float *row = g[c] + static_cast<std::int64_t>(R) * rs;
        const double *ac = acc + static_cast<std::size_t>(c) * m;
        for (int col = 0; col < m; ++col)
          row[col] = static_cast<float>(ac[col]);
        // Zero padding (the inverse transform of the last call wrote it).
        std::fill(row + m, row + rs, 0.0f);
      }
    }
  });
}

// Step 2: the three charge grids are transformed once; the four sums are
// (charge spectrum) x (kernel spectrum), transformed back. A 2-D transform
// is: rows (r2c), transpose, rows again (c2c); the inverse runs backwards.
// Each transform is one task on one thread (FFTW's execute is thread-safe)
// and its result does not depend on which thread runs it.
void FftRepulsion::convolve() {
  const Layout L(m_);
  Buffers &b = *buf_;
  const Plans &P = *b.plans;
  const int N = L.N, m = m_;
  const std::int64_t ts = L.ts, hs = L.hs, kn = L.kn;
  const int slots = std::clamp(omp_get_max_threads(), 1, kSums);

  // Stage 1: the two kernel DCTs (when the grid changed) and the three
  // forward transforms.
  const int dcts = b.kernel_pending ? 2 : 0;
  b.kernel_pending = false;
#pragma omp parallel for schedule(dynamic, 1)                                  \
    num_threads(slots) if (m_ >= kParallelNodes)
  for (int task = 0; task < dcts + kCharges; ++task) {
    if (task < dcts) {
      float *k = b.kernels[task].get();
      fftwf_execute_r2r(P.dct, k, k);
      continue;
    }
    const int c = task - dcts;
    fftwf_complex *half = b.half[omp_get_thread_num()].get();
    fftwf_complex *spec = b.spectra[c].get();
    fftwf_execute_dft_r2c(P.row_r2c, b.grids[c].get(), half);
    transpose(half, hs, m, m + 1, spec, ts);
    // Node rows m .. N of the circulant embedding are zero.
    for (int r = 0; r <= m; ++r)
      std::memset(spec + r * ts + m, 0, sizeof(fftwf_complex) * (N - m));
    fftwf_execute_dft(P.row_fwd, spec, spec);
  }

  // Stage 2: sum s = (charge, kernel): (1, K1), (x, K1), (y, K1), (1, K2).
  static constexpr int kCharge[kSums] = {0, 1, 2, 0};
  static constexpr int kKernel[kSums] = {0, 0, 0, 1};
#pragma omp parallel for schedule(dynamic, 1)                                  \
    num_threads(slots) if (m_ >= kParallelNodes)
  for (int s = 0; s < kSums; ++s) {
    const int slot = omp_get_thread_num();
    fftwf_complex *work = b.work[slot].get();
    fftwf_complex *half = b.half[slot].get();
    const fftwf_complex *spec = b.spectra[kCharge[s]].get();
    const float *khat = b.kernels[kKernel[s]].get();
    for (int fx = 0; fx <= m; ++fx) {
      // The kernel spectrum is even and symmetric: (fx, fy) has the value
      // of (fx, N - fy) and of (fy, fx).
      const float *kr = khat + fx * kn;
      const fftwf_complex *in = spec + fx * ts;
      fftwf_complex *out = work + fx * ts;
      for (int fy = 0; fy <= m; ++fy) {
        out[fy][0] = in[fy][0] * kr[fy];
        out[fy][1] = in[fy][1] * kr[fy];
      }
      for (int fy = m + 1; fy < N; ++fy) {
        out[fy][0] = in[fy][0] * kr[N - fy];
        out[fy][1] = in[fy][1] * kr[N - fy];
      }
    }
    fftwf_execute_dft(P.row_bwd, work, work);
    // Only node rows 0 .. m-1 of the result are needed.
    transpose(work, ts, m + 1, m, half, hs);
    fftwf_execute_dft_c2r(P.row_c2r, half, b.grids[s].get());
  }
}

// Step 3: every point interpolates the four sums from its stencil nodes.
double FftRepulsion::interpolate(MatrixD &forces) {
  const std::int64_t n = forces.rows;
  const int p = params_.n_interp;
  const std::int64_t rs = Layout(m_).rs;
  const float *g[kSums];
  for (int s = 0; s < kSums; ++s)
    g[s] = buf_->grids[s].get();
  double *f = forces.data.data();
  row_z_.resize(n);
  const double *self_kernel = self_kernel_.data();
  with_stencil(p, [&](auto tag) {
    constexpr int P = decltype(tag)::value;
    const int q = P > 0 ? P : p;
#pragma omp parallel for schedule(static) if (n >= kParallelPoints)
    for (std::int64_t s = 0; s < n; ++s) {
      const std::int64_t i = order_[s];
      const double *lx = &wx_[s * q];
      const double *ly = &wy_[s * q];
      double phi[kSums] = {0, 0, 0, 0};
      for (int r = 0; r < q; ++r) {
        const std::int64_t off = (sy_[s] + r) * rs + sx_[s];
        for (int k = 0; k < q; ++k) {
          const double w = ly[r] * lx[k];
          for (int t = 0; t < kSums; ++t)
            phi[t] += w * g[t][off + k];
        }
      }
      // forces(i) = sum_j K1_ij (y_i - y_j) = y_i phi_1 - phi_y (centred);
      // the self term is exactly 0 in this form.
      f[2 * i] = cx_[s] * phi[0] - phi[1];
      f[2 * i + 1] = cy_[s] * phi[0] - phi[2];
      // phi_w includes the interpolated self term sum_{k,l} L_k(y_i)
      // K2(t_k - t_l) L_l(y_i) rather than w_ii = 1; removing exactly that
      // term (not 1) takes the interpolation error of the self pair out of
      // Z, which matters where Z is not much larger than n. With ax[d] =
      // sum over |k - k'| = d of L_k L_k' (ay alike) it is sum ay[e] ax[d]
      // K2(e h, d h).
      double ax[kMaxInterp] = {}, ay[kMaxInterp] = {};
      for (int k = 0; k < q; ++k) {
        ax[0] += lx[k] * lx[k];
        ay[0] += ly[k] * ly[k];
        for (int k2 = k + 1; k2 < q; ++k2) {
          ax[k2 - k] += 2.0 * lx[k] * lx[k2];
          ay[k2 - k] += 2.0 * ly[k] * ly[k2];
        }
      }
      double self = 0;
      for (int e = 0; e < q; ++e) {
        double inner = 0;
        for (int d = 0; d < q; ++d)
          inner += ax[d] * self_kernel[e * q + d];
        self += ay[e] * inner;
      }
      row_z_[i] = phi[3] - self;
    }
  });
  double Z = 0;
  for (std::int64_t i = 0; i < n; ++i)
    Z += row_z_[i];
  return Z;
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
