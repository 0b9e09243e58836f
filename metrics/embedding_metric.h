#pragma once
// The two ways the graph paper compares embedding rows (papers/graph.md
// sec. 3): Euclidean for 2-D layouts, cosine for 128-D embeddings. Cosine
// neighbours and distances are Euclidean ones on L2-normalised rows
// (|a - b|^2 = 2 - 2 cos(a, b) for unit rows), so every graph metric
// normalises once and then works in Euclidean terms.

#include "engine/core/matrix.h"

#include <string>

namespace nebench {

enum class EmbeddingMetric { euclidean, cosine };

/// "euclidean" or "cosine"; throws NebenchError otherwise.
EmbeddingMetric parse_embedding_metric(const std::string &name);

/// The rows as the metric compares them: unchanged for euclidean, divided by
/// their L2 norm for cosine. A zero row stays zero (as sklearn's normalize
/// leaves it), at distance 1 from every unit row. Throws NebenchError on a
/// non-finite value.
MatrixD metric_rows(const MatrixD &y, EmbeddingMetric metric);

} // namespace nebench
