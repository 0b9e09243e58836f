#include "engine/ne/external_embedding.h"

#include "datasets/npy_loader.h"

#include <filesystem>

namespace nebench {

ExternalEmbeddingParams
ExternalEmbeddingParams::from_spec(const SpecNode &node) {
  ExternalEmbeddingParams p;
  node.string("type");
  p.path = node.string("path");
  if (p.path.empty())
    node.fail_at("path", "must name an .npy file");
  const auto dir = std::filesystem::path(node.file()).parent_path();
  if (std::filesystem::path(p.path).is_relative())
    p.path = (dir / p.path).lexically_normal().string();
  p.tool = node.string("tool", "");
  p.seconds = node.number("seconds", 0.0, Range::at_least(0));
  node.finish();
  return p;
}

MethodOutput ExternalEmbedding::run(const Problem &problem,
                                    const RunContext &ctx) {
  ctx.check();
  const Matrix y = read_npy_matrix(p_.path);
  if (y.rows != problem.X->rows)
    throw DataError(p_.path, "embedding has " + std::to_string(y.rows) +
                                 " rows but the dataset has " +
                                 std::to_string(problem.X->rows));
  MethodOutput out;
  out.embedding = convert<double>(y);
  if (p_.seconds > 0)
    out.trace.push("tool_seconds", p_.seconds);
  return out;
}

} // namespace nebench
