#pragma once
// Barnes-Hut estimate of ForceAtlas2's degree repulsion (Jacomy et al. 2014,
// sec. "Approximate repulsion"; Gephi's Region.java):
//
//   F_r(i) = k_r m_i sum_{j != i} m_j (y_i - y_j) / |y_i - y_j|^2.
//
// Regions follow Gephi rather than the geometric quadtree of t-SNE
// (engine/ne/barnes_hut_repulsion.h, whose kernel and unit masses do not
// fit): a region has mass M = sum of its node masses (deg + 1), centre c =
// mass-weighted mean, size s = 2 max_j |y_j - c| (its diameter about c), and
// is split into four at c. Node i sees a region as one body of mass M at c
// when |y_i - c| * theta > s (Gephi's criterion; theta = 1.2 by default).
//
// Differences from Gephi, all of which only make the estimate more exact:
// - A leaf holds up to `leaf_size` nodes; when a leaf is too close to
//   summarize, its nodes are summed one by one.
// - Nodes are handled in groups (small subtrees), one walk per group, and a
//   region is summarized only when the criterion holds for the distance from
//   c to the group's bounding box, i.e. for every node of the group (Barnes
//   1990, "A modified tree code: don't laugh; it runs").
// - Each node receives only its own force. Gephi's Region.applyForce calls
//   the pairwise repulsion on single-node regions, which also pushes the
//   other node, so near pairs are counted twice there (and, with several
//   threads, racily); we compute the force of the formula above.
//
// Deterministic: the tree is built serially and every node's force depends
// only on the tree, so any thread count gives the same bits.

#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct Fa2BarnesHutParams {
  /// Accuracy: a region is summarized when distance * theta > size (Gephi's
  /// barnesHutTheta; 1.2 in Gephi, fa2 and the spectrum paper). 0 = exact.
  double theta = 1.2;
  /// Regions with at most this many nodes are leaves.
  int leaf_size = 8;
  /// Maximum depth; deeper regions (nearly coincident nodes) become leaves.
  int max_depth = 64;
  /// Nodes that share one tree walk (subtrees of at most this many nodes).
  /// Only changes speed; accuracy is at least the per-node criterion's.
  int group_size = 32;
};

class Fa2BarnesHut {
public:
  explicit Fa2BarnesHut(const Fa2BarnesHutParams &params = {});

  /// Overwrites `forces` (resized to n x 2) with the estimate of F_r above
  /// for the 2-D layout Y, masses `mass` (n) and k_r = scaling_ratio.
  void compute(const MatrixD &Y, const std::vector<double> &mass,
               double scaling_ratio, MatrixD &forces);

  /// Regions of the last tree built (for tests and diagnostics).
  std::int64_t node_count() const {
    return static_cast<std::int64_t>(nodes_.size());
  }

private:
  struct Node {
    double cx = 0, cy = 0;  ///< centre of mass
    double mass = 0;        ///< sum of node masses
    double size2 = 0;       ///< squared size (Gephi: 2 * max distance to c)
    std::int32_t next = 0;  ///< first tree node after this subtree
    std::int32_t begin = 0; ///< its layout nodes: tree positions [begin, end)
    std::int32_t end = 0;
  };

  void build(const MatrixD &Y, const std::vector<double> &mass);
  void build_node(std::int32_t begin, std::int32_t end, int depth);

  /// Bodies (regions or single nodes) one group interacts with, as
  /// structure of arrays for a vectorized sum.
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
  };

  Fa2BarnesHutParams params_;
  std::vector<Node> nodes_;
  std::vector<std::int32_t> groups_;   ///< root tree node of each group
  std::vector<InteractionList> lists_; ///< one per thread, reused
  std::vector<std::int32_t> perm_;     ///< tree position -> layout node
  std::vector<std::int32_t> scratch_;  ///< partition buffer
  std::vector<std::uint8_t> quad_;     ///< quadrant of each position
  std::vector<double> px_, py_, pm_;   ///< coordinates and mass, tree order
  std::vector<double> bx_, by_, bm_;   ///< same by layout node (build only)
};

} // namespace nebench
