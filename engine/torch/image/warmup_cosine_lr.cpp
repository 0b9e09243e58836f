#include "engine/torch/image/warmup_cosine_lr.h"

#include "engine/core/errors.h"

#include <cmath>
#include <string>

namespace nebench {

double warmup_cosine_lr(double base_lr, int epochs, int warmup_epochs,
                        int epoch) {
  if (epochs < 1 || warmup_epochs < 0 || warmup_epochs > epochs || epoch < 0 ||
      epoch >= epochs)
    throw NebenchError("warmup_cosine_lr: need 0 <= warmup_epochs <= epochs "
                       "and 0 <= epoch < epochs, got epochs " +
                       std::to_string(epochs) + ", warmup_epochs " +
                       std::to_string(warmup_epochs) + ", epoch " +
                       std::to_string(epoch));
  if (epoch < warmup_epochs)
    return warmup_epochs == 1 ? 0.0
                              : base_lr * static_cast<double>(epoch) /
                                    static_cast<double>(warmup_epochs - 1);
  const double j = static_cast<double>(epoch - warmup_epochs);
  const double decay_epochs = static_cast<double>(epochs + 1 - warmup_epochs);
  return 0.5 * base_lr * (1.0 + std::cos(M_PI * j / decay_epochs));
}

} // namespace nebench
