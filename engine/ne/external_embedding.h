#pragma once
// An embedding computed by another tool (a peer such as R's Rtsne or uwot),
// read from an .npy file so that nebench's metrics and claims judge it with
// exactly the same code as its own methods:
//   {"type": "external", "path": "rtsne.npy", "tool": "Rtsne 0.17",
//    "seconds": 812.4}
// `path` is relative to the spec file. `seconds`, when given, is the peer's
// own wall time, stored in the trace for the record.

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"

namespace nebench {

struct ExternalEmbeddingParams {
  std::string path;   ///< .npy of shape n x dim, rows in dataset order
  std::string tool;   ///< who made it, for the report
  double seconds = 0; ///< the tool's wall time (0: unknown)

  static ExternalEmbeddingParams from_spec(const SpecNode &node);
};

class ExternalEmbedding : public Method {
public:
  explicit ExternalEmbedding(ExternalEmbeddingParams p) : p_(std::move(p)) {}
  std::string type() const override { return "external"; }
  int neighbors_needed() const override { return 1; }
  double estimated_bytes(std::int64_t n) const override { return 16.0 * n; }
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

private:
  ExternalEmbeddingParams p_;
};

} // namespace nebench
