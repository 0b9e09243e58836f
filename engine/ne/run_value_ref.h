#pragma once
// A method parameter taken from an earlier run of the same spec: the last
// logged value of one of its trace columns, for the same seed. The CNE
// paper's spectrum runs Neg-t-SNE at the normaliser of a converged t-SNE
// (Z^{t-SNE} = sum of kernel values, papers/spectrum_and_cne.md sec. 1.3)
// and of a converged NCE (its learned Z); neither is known before those
// runs finish. Written in a spec as {"run": "tsne", "trace": "Z"}.

#include "engine/core/spec_node.h"

#include <string>

namespace nebench {

struct RunValueRef {
  std::string run;       ///< runs[].name of an earlier, unswept run
  std::string column;    ///< trace column; its last logged value is used
  std::string json_path; ///< where the reference is written, for errors

  /// Parses the object at `key` of `node` ({"run": ..., "trace": ...}).
  static RunValueRef from_spec(const SpecNode &node, const std::string &key) {
    const SpecNode ref = node.child(key);
    if (!ref.is_object())
      node.fail_at(key, "must be a number or {\"run\": NAME, \"trace\": "
                        "COLUMN}");
    RunValueRef r;
    r.run = ref.string("run");
    r.column = ref.string("trace");
    r.json_path = ref.path();
    ref.finish();
    return r;
  }
};

} // namespace nebench
