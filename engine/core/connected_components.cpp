#include "engine/core/connected_components.h"

namespace nebench {

GraphComponents connected_components(const Csr &graph) {
  const std::int64_t n = graph.n;
  GraphComponents out;
  out.label.assign(static_cast<std::size_t>(n), -1);
  std::vector<std::int32_t> queue(static_cast<std::size_t>(n));
  for (std::int64_t s = 0; s < n; ++s) {
    if (out.label[s] >= 0)
      continue;
    const auto c = static_cast<std::int32_t>(out.count++);
    std::size_t head = 0, tail = 0;
    queue[tail++] = static_cast<std::int32_t>(s);
    out.label[s] = c;
    while (head < tail) {
      const std::int32_t i = queue[head++];
      for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p) {
        const std::int32_t j = graph.indices[p];
        if (out.label[j] < 0) {
          out.label[j] = c;
          queue[tail++] = j;
        }
      }
    }
    out.sizes.push_back(static_cast<std::int64_t>(tail));
  }
  return out;
}

} // namespace nebench
