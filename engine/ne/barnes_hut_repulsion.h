#pragma once
// Barnes-Hut repulsion for 2-D embeddings (van der Maaten 2014, "Accelerating
// t-SNE using tree-based algorithms", sec. 4.2): a quadtree over the embedding,
// rebuilt every iteration; a cell whose side length over its distance to the
// point is below theta acts as one point of mass `count` at its center of
// mass (openTSNE's criterion: node.length / |y_i - com| < theta).
//
// Note on theta: Rtsne (bhtsne) compares the cell's HALF width with the
// distance, so its theta = t corresponds to our (and openTSNE's) theta = 2t.
//
// The tree is a flat array in depth-first order with a skip pointer per node
// (`next`: the first node after its subtree), so the walk is a loop without a
// stack, and points are stored contiguously in tree order. Points are handled
// in groups (small subtrees): one walk per group collects the cells that are
// far enough for every point of the group plus the points of the remaining
// near leaves, and each point then sums that list in a vectorizable loop
// (Barnes 1990, "A modified tree code: don't laugh; it runs"). That is ~3x
// faster than a walk per point and at least as accurate.

#include "engine/ne/repulsion.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct BarnesHutParams {
  /// Accuracy/speed trade-off: a cell is summarized when side / distance <
  /// theta (van der Maaten 2014; 0.5 in openTSNE and Rtsne). 0 is exact.
  double theta = 0.5;
  /// Kernel degree of freedom alpha > 0 (engine/ne/kernel.h).
  double dof = 1.0;
  /// Cells with at most this many points are leaves; a leaf that is too
  /// close to summarize is summed exactly point by point.
  int leaf_size = 4;
  /// Maximum tree depth; deeper cells (coincident points) become leaves.
  int max_depth = 48;
  /// Points that share one tree walk (the largest subtrees with at most this
  /// many points): the walk builds one interaction list, then every point of
  /// the group sums it in a branch-free loop (Barnes 1990, "A modified tree
  /// code"). Only changes speed; accuracy is at least the per-point one.
  int group_size = 64;
};

class BarnesHutRepulsion : public RepulsionEstimator {
public:
  explicit BarnesHutRepulsion(const BarnesHutParams &params = {});
  std::string name() const override { return "bh"; }
  /// Y must have 2 columns. Deterministic: every point's forces and its
  /// share of Z are computed independently and Z is summed in index order.
  double compute(const MatrixD &Y, MatrixD &forces) override;

  /// Nodes of the last tree built (for tests and diagnostics).
  std::int64_t node_count() const {
    return static_cast<std::int64_t>(nodes_.size());
  }

private:
  struct Node {
    double cx = 0, cy = 0;  ///< center of mass
    double side2 = 0;       ///< squared side length of the cell
    std::int32_t count = 0; ///< points in the subtree
    std::int32_t next = 0;  ///< index of the first node after the subtree
    std::int32_t begin = 0; ///< subtree points: tree positions [begin, end)
    std::int32_t end = 0;
  };

  void build(const MatrixD &Y);
  void build_node(std::int32_t begin, std::int32_t end, double x0, double y0,
                  double side, int depth);

  /// Cells (center of mass, mass) and points (position, 1) one group
  /// interacts with, structure of arrays for vectorized sums.
  struct InteractionList {
    std::vector<double> x, y, mass;
    void clear() {
      x.clear();
      y.clear();
      mass.clear();
    }
    void push(double px, double py, double m) {
      x.push_back(px);
      y.push_back(py);
      mass.push_back(m);
    }
    std::size_t size() const { return x.size(); }
  };

  BarnesHutParams params_;
  std::vector<std::int32_t> groups_;   ///< root node of each group
  std::vector<InteractionList> lists_; ///< one per thread, reused
  std::vector<Node> nodes_;
  std::vector<std::int32_t> perm_;    ///< tree position -> point index
  std::vector<std::int32_t> scratch_; ///< partition buffer
  std::vector<std::uint8_t> quad_;    ///< quadrant of each point in a range
  std::vector<double> px_, py_;       ///< coordinates in tree order
  std::vector<double> row_z_;         ///< per-point partial sums of Z
};

} // namespace nebench
