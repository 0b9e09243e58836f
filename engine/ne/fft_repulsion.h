#pragma once
// FFT-accelerated interpolation of the t-SNE repulsion for 2-D embeddings
// (Linderman et al. 2019, "Fast interpolation-based t-SNE for improved
// visualization of single-cell RNA-seq data", Nat. Methods 16:243; FIt-SNE
// and openTSNE's estimate_negative_gradient_fft_2d).
//
// The repulsive sums are kernel sums  phi(y_i) = sum_j K(y_i - y_j) q_j  with
// smooth translation-invariant kernels. The bounding square of the embedding
// is cut into n_boxes x n_boxes boxes with n_interp x n_interp equispaced
// nodes each (one uniform grid of m = n_boxes * n_interp nodes per axis);
// inside a box K is replaced by its Lagrange interpolant on the nodes (sec.
// "Methods": eq. for the low-rank approximation K ~ sum_l L_l(y_i) K(t_l, .)).
// Then
//   1. point -> grid: each node gets the charges of the points of its box
//      weighted by their Lagrange weights;
//   2. grid -> grid: the node-to-node kernel matrix is Toeplitz-block-
//      Toeplitz, so its product with the charges is a 2-D convolution,
//      done by FFT on a 2m x 2m circulant embedding;
//   3. grid -> point: each point interpolates the potentials of its box's
//      nodes.
// With w = (1 + d^2/a)^-a (engine/ne/kernel.h) four sums give everything in
// the convention of engine/ne/repulsion.h:
//   K1 = w^((a+1)/a) = (1 + d^2/a)^-(a+1)  with charges 1, x_j, y_j:
//        forces(i) = y_i * phi_1(i) - (phi_x(i), phi_y(i)),
//   K2 = w                                  with charge 1:
//        Z = sum_i phi_w(i) - n   (removes the self terms w_ii = 1).
// This works for any dof a > 0 (openTSNE's dof != 1 path). For a = 1 openTSNE
// instead derives Z from K1 sums with the charge |y_j|^2; we use the direct
// K2 sum for every a because that identity cancels catastrophically in single
// precision far from the origin.
//
// FFTs run in single precision (fftw3f) as FIt-SNE's do; the node spectra of
// the kernels are real (the kernels are even), computed with a 2-D DCT-I of
// the (m+1) x (m+1) quarter grid. The zero half of the padded charge grid is
// pruned: the forward transform runs over the m non-zero rows, then over the
// columns; the inverse over the columns, then over the m rows that are read.
//
// Deterministic for any thread count: points are bucketed by box with a
// stable counting sort; each box's nodes are written by one thread summing its
// points in index order (no atomics); FFTs use fixed plans on buffers with
// fixed alignment; each point reads only its own box; Z is summed serially.

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
  /// extent / ints_in_interval), rounded up to a 2,3,5-smooth count (openTSNE
  /// ints_in_interval = 1; the kernels vary on a unit scale). > 0.
  double ints_in_interval = 1.0;
  /// Most boxes per axis (openTSNE caps at 1000); beyond that extent the
  /// boxes grow and accuracy drops. Memory is about 28 m^2 + 16 m^2 per
  /// thread (<= 4) bytes for m = n_interp * boxes nodes per axis.
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

  /// The smallest 2,3,5-smooth integer >= n (n >= 1): FFT sizes FFTW
  /// handles fastest.
  static int smooth_size(int n);

private:
  struct Buffers; ///< FFTW-aligned grids and spectra (hides fftw3.h)

  /// Sets up the grid for the square [lo_x, lo_x + extent] x [lo_y, lo_y +
  /// extent] and the buffers and plans of its size.
  void prepare_grid(double lo_x, double lo_y, double extent);
  void kernel_spectra();
  void spread(const MatrixD &Y);
  void convolve();
  double interpolate(MatrixD &forces);

  FftRepulsionParams params_;
  std::unique_ptr<Buffers> buf_;
  int n_boxes_ = 0; ///< boxes per axis
  int m_ = 0;       ///< nodes per axis, n_boxes_ * n_interp
  double lo_x_ = 0; ///< lower-left corner of the grid
  double lo_y_ = 0;
  double box_ = 0;  ///< box side

  // Per-point work arrays, in box order (reused across calls).
  std::vector<std::int32_t> box_of_;    ///< box of point i
  std::vector<std::int32_t> order_;     ///< point indices sorted by box
  std::vector<std::int32_t> box_start_; ///< boxes + 1 offsets into order_
  std::vector<double> cx_, cy_;         ///< centred coordinates, box order
  std::vector<double> wx_, wy_;         ///< Lagrange weights, n * n_interp
  std::vector<double> row_z_;           ///< phi_w per point (index order)
  std::vector<double> node_inv_denominator_; ///< 1 / prod_{l!=k}(t_k - t_l)
};

} // namespace nebench
