#pragma once
// FFT-accelerated interpolation of the t-SNE repulsion for 2-D embeddings
// (Linderman et al. 2019, "Fast interpolation-based t-SNE for improved
// visualization of single-cell RNA-seq data", Nat. Methods 16:243; FIt-SNE
// and openTSNE's estimate_negative_gradient_fft_2d).
//
// The repulsive sums are kernel sums  phi(y_i) = sum_j K(y_i - y_j) q_j  with
// smooth translation-invariant kernels. The bounding square of the embedding
// gets a uniform grid of m = n_boxes * n_interp nodes per axis (n_interp
// nodes per box, FIt-SNE's parametrization), and K is replaced by its
// tensor-product Lagrange interpolant in both arguments (Linderman et al.,
// "Methods": K(y_i, y_j) ~ sum_{k,l} L_k(y_i) K(t_k, t_l) L_l(y_j)). Then
//   1. point -> grid: every node gathers the charges of the points whose
//      stencil contains it, weighted by their Lagrange weights;
//   2. grid -> grid: the node-to-node kernel matrix is Toeplitz-block-
//      Toeplitz, so its product with the charges is a 2-D convolution, done
//      by FFT on the 2m x 2m circulant embedding;
//   3. grid -> point: every point interpolates the node potentials.
// With w = (1 + d^2/a)^-a (engine/ne/kernel.h) four sums give everything in
// the convention of engine/ne/repulsion.h:
//   K1 = w^((a+1)/a) = (1 + d^2/a)^-(a+1)  with charges 1, x_j, y_j:
//        forces(i) = y_i * phi_1(i) - (phi_x(i), phi_y(i))
//        (the self term is exactly 0 in this form);
//   K2 = w                                  with charge 1:
//        Z = sum_i (phi_w(i) - s_i),
//   where s_i is the self term w_ii as interpolated (not 1): removing it
//   exactly takes the interpolation error of the n self pairs out of Z
//   (100x smaller Z error where Z is not much larger than n).
// This works for any dof a > 0 (openTSNE's dof != 1 path). For a = 1 openTSNE
// derives Z from K1 sums with the charge |y_j|^2 instead; that identity
// cancels badly in single precision far from the origin.
//
// Differences from FIt-SNE that change only accuracy or speed:
// - Centred stencils: each point uses the n_interp grid nodes nearest to it
//   (same grid, same cost) instead of the nodes of its own box. For p = 3 the
//   node polynomial |prod_l (t - t_l)| is at most 0.375 h^3 instead of
//   1.875 h^3 at a box edge; relative force errors at the defaults drop
//   ~2.5x (2.7% -> 1.0% on a sparse test layout; 0.5-0.7% on t-SNE-like
//   layouts, tests/ne/fft_repulsion_test.cpp).
// - FFT sizes 2^a 3^b only, single precision (fftw3f; float error ~1e-5 is
//   far below the interpolation error), and the 2-D transforms split into
//   row transforms + a cache-blocked transpose + row transforms: the zero
//   half of the padded charge grid is skipped in the first pass and only
//   the m needed rows are produced in the last.
// - Kernel spectra (real, since the kernels are even: a 2-D DCT-I of the
//   (m+1)^2 quarter grid) are cached: the node spacing is rounded up to
//   steps of 2^(1/64), so they are recomputed only when the grid changes.
//
// Deterministic for any thread count: points are bucketed by stencil row
// with a stable counting sort; each node row is gathered by one thread in a
// fixed order (no atomics); each FFT is one task with a fixed plan on
// buffers of the same alignment; Z is summed serially in index order.
// The only allocations are buffer growth when the grid outgrows them.

#include "engine/ne/repulsion.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace nebench {

struct FftRepulsionParams {
  /// Interpolation nodes per box and axis (Linderman et al. 2019, "Methods":
  /// p = 3 equispaced nodes; openTSNE n_interpolation_points = 3). Lagrange
  /// polynomials of degree n_interp - 1; in [1, 16].
  int n_interp = 3;
  /// Fewest boxes per axis (openTSNE TSNE min_num_intervals = 50), >= 1.
  int min_intervals = 50;
  /// Largest box side in embedding units: boxes per axis = max(min_intervals,
  /// extent / ints_in_interval), rounded up to a 2,3-smooth count (openTSNE
  /// ints_in_interval = 1; the kernels vary on a unit scale). > 0.
  double ints_in_interval = 1.0;
  /// Most boxes per axis (openTSNE caps at 1000); beyond that extent the
  /// boxes grow and accuracy drops. Memory is about (88 + 24 t) m^2 bytes
  /// for m = n_interp * boxes nodes per axis and t = min(threads, 4): 20 MB
  /// at 128 boxes and 2 threads, 1.2 GB at the cap.
  int max_intervals = 1000;
  /// Kernel degree of freedom a > 0 (Kobak et al. 2019; engine/ne/kernel.h).
  double dof = 1.0;
};

class FftRepulsion : public RepulsionEstimator {
public:
  explicit FftRepulsion(const FftRepulsionParams &params = {});
  ~FftRepulsion() override;
  FftRepulsion(const FftRepulsion &) = delete;
  FftRepulsion &operator=(const FftRepulsion &) = delete;

  std::string name() const override { return "fft"; }
  /// Y must have 2 finite columns (NumericalError otherwise: a diverged
  /// embedding). Follows the convention of engine/ne/repulsion.h; bitwise
  /// the same result for any number of threads.
  double compute(const MatrixD &Y, MatrixD &forces) override;

  const FftRepulsionParams &params() const { return params_; }
  /// Boxes per axis of the last grid (0 before the first call).
  int boxes_per_axis() const { return n_boxes_; }

  /// The smallest integer 2^a 3^b >= n (n >= 1). FFTW's fastest sizes:
  /// with FFTW_ESTIMATE plans, sizes with factors 5 or 7 (openTSNE also
  /// allows them) were up to 3x slower in our measurements.
  static int smooth_size(int n);

private:
  struct Buffers; ///< FFTW-aligned grids and spectra (hides fftw3.h)

  /// Sets up the grid for the square [lo_x, lo_x + extent] x [lo_y, lo_y +
  /// extent] and the buffers and plans of its size.
  void prepare_grid(double lo_x, double lo_y, double extent);
  /// Kernel values on the grid (their DCTs run in convolve()), unless the
  /// cached ones are for the same grid.
  void kernel_spectra();
  /// Step 1: Lagrange weights and the charge grids.
  void spread(const MatrixD &Y);
  /// Step 2: the four grid sums by FFT.
  void convolve();
  /// Step 3: forces and Z from the grid sums.
  double interpolate(MatrixD &forces);

  FftRepulsionParams params_;
  std::unique_ptr<Buffers> buf_;
  int n_boxes_ = 0; ///< boxes per axis
  int m_ = 0;       ///< nodes per axis, n_boxes_ * n_interp
  double lo_x_ = 0; ///< lower-left corner of the grid
  double lo_y_ = 0;
  double h_ = 0; ///< node spacing, >= extent / m_ (rounded up)

  // Per-point work arrays in sorted (stencil row) order, reused across calls.
  std::vector<std::int32_t> row_of_;         ///< stencil row of point i
  std::vector<std::int32_t> order_;          ///< point indices sorted by row
  std::vector<std::int32_t> row_start_;      ///< stencil rows + 1 offsets
  std::vector<std::int32_t> sx_, sy_;        ///< first stencil node per axis
  std::vector<double> cx_, cy_;              ///< centred coordinates
  std::vector<double> wx_, wy_;              ///< Lagrange weights, n * n_interp
  std::vector<double> row_z_;                ///< phi_w per point (index order)
  std::vector<double> row_acc_;              ///< per-thread node row sums
  std::vector<double> self_kernel_;          ///< K2 at stencil offsets, p x p
  std::vector<double> node_inv_denominator_; ///< 1 / prod_{l != k} (k - l)
};

} // namespace nebench
