#pragma once
// The per-epoch learning rate of t-SimCNE and SimCLR (sec. 1.3 of
// papers/tsimcne_medical_norms.md): a linear warm-up from 0, then cosine
// annealing towards 0, stepped once per epoch. Exactly the schedule of the
// reference (iclr2023 lrschedule.py, CosineAnnealingSchedule with
// final_lr = warmup_lr = 0), whose table is
//   np.linspace(0, base, W)                                      (warm-up)
//   0.5 base (1 + cos(pi j / (E + 1 - W))),  j = 0 .. E - W     (decay)
// and whose epoch e (0-based) runs at entry e. So for E epochs with W
// warm-up epochs:
//   e <  W:  lr_e = base e / (W - 1)            (W = 1: lr_0 = 0)
//   e >= W:  lr_e = base (1 + cos(pi (e - W) / (E + 1 - W))) / 2
// The warm-up ends at the full rate (epoch W - 1), which the first decay
// epoch repeats; the last epoch stays slightly above 0 (the table's final
// 0 entry is never used).

namespace nebench {

/// lr of epoch `epoch` (0-based, 0 <= epoch < epochs) of a stage of
/// `epochs` epochs with `warmup_epochs` (0 <= W <= epochs) warm-up epochs
/// and peak rate base_lr. Throws NebenchError for arguments out of range.
double warmup_cosine_lr(double base_lr, int epochs, int warmup_epochs,
                        int epoch);

} // namespace nebench
