#include "engine/torch/augment/geometric_transforms.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nebench {

namespace {

constexpr std::int64_t crop_attempts = 10; // torchvision get_params
constexpr double pi = 3.14159265358979323846;

} // namespace

torch::Tensor sample_crop_boxes(std::int64_t n, std::int64_t height,
                                std::int64_t width, const AugmentConfig &config,
                                torch::Generator &gen) {
  if (n < 0 || height < 1 || width < 1)
    throw NebenchError("sample_crop_boxes: needs n >= 0 and an image of at "
                       "least 1 x 1 pixels");
  config.validate();
  const auto opts =
      torch::TensorOptions().dtype(torch::kFloat64).device(gen.device());
  // All uniforms first, so that their count does not depend on which
  // attempt succeeds.
  const torch::Tensor u_scale = torch::rand({n, crop_attempts}, gen, opts);
  const torch::Tensor u_ratio = torch::rand({n, crop_attempts}, gen, opts);
  const torch::Tensor u_top = torch::rand({n}, gen, opts);
  const torch::Tensor u_left = torch::rand({n}, gen, opts);

  const double H = static_cast<double>(height), W = static_cast<double>(width);
  const double area = H * W;
  const double log_r0 = std::log(config.crop_ratio_min);
  const double log_r1 = std::log(config.crop_ratio_max);
  const torch::Tensor target =
      area * (config.crop_scale_min +
              u_scale * (config.crop_scale_max - config.crop_scale_min));
  const torch::Tensor aspect = torch::exp(log_r0 + u_ratio * (log_r1 - log_r0));
  // torch::round rounds half to even, as Python's round() in torchvision.
  const torch::Tensor w = torch::round(torch::sqrt(target * aspect));
  const torch::Tensor h = torch::round(torch::sqrt(target / aspect));
  const torch::Tensor fits =
      (w > 0).logical_and(w <= W).logical_and(h > 0).logical_and(h <= H);
  // The first attempt that fits (argmax returns the first maximum).
  const torch::Tensor first = fits.to(torch::kInt32).argmax(1, true);
  const torch::Tensor any = fits.any(1);
  const torch::Tensor w_try = w.gather(1, first).squeeze(1);
  const torch::Tensor h_try = h.gather(1, first).squeeze(1);

  // Fallback: the whole image, its aspect ratio clamped to the range.
  double w_fb = W, h_fb = H;
  const double in_ratio = W / H;
  if (in_ratio < config.crop_ratio_min)
    h_fb = std::nearbyint(W / config.crop_ratio_min);
  else if (in_ratio > config.crop_ratio_max)
    w_fb = std::nearbyint(H * config.crop_ratio_max);
  h_fb = std::clamp(h_fb, 1.0, H);
  w_fb = std::clamp(w_fb, 1.0, W);

  const torch::Tensor bw =
      torch::where(any, w_try, torch::full_like(w_try, w_fb));
  const torch::Tensor bh =
      torch::where(any, h_try, torch::full_like(h_try, h_fb));
  // randint(0, H - h + 1) as floor(u (H - h + 1)), u in [0, 1).
  const torch::Tensor top_try =
      torch::floor(u_top * (H - bh + 1.0)).clamp_max(H - bh);
  const torch::Tensor left_try =
      torch::floor(u_left * (W - bw + 1.0)).clamp_max(W - bw);
  const torch::Tensor top =
      torch::where(any, top_try, torch::floor((H - bh) / 2.0));
  const torch::Tensor left =
      torch::where(any, left_try, torch::floor((W - bw) / 2.0));
  return torch::stack({top, left, bh, bw}, 1).to(torch::kLong);
}

torch::Tensor border_mean(const torch::Tensor &images) {
  if (images.dim() != 4 || !images.is_floating_point())
    throw NebenchError("border_mean: images must be a floating N x C x H x W "
                       "tensor");
  const std::int64_t H = images.size(2), W = images.size(3);
  if (H < 3 || W < 3) // every pixel lies on the ring
    return images.mean({2, 3});
  const torch::Tensor total = images.sum({2, 3});
  const torch::Tensor inner =
      images.narrow(2, 1, H - 2).narrow(3, 1, W - 2).sum({2, 3});
  return (total - inner) / static_cast<double>(2 * (H + W) - 4);
}

torch::Tensor rotate_and_crop(const torch::Tensor &images,
                              const torch::Tensor &boxes,
                              const torch::Tensor &angles_deg,
                              const torch::Tensor &fill) {
  if (images.dim() != 4 || !images.is_floating_point())
    throw NebenchError("rotate_and_crop: images must be a floating N x C x H "
                       "x W tensor");
  const std::int64_t N = images.size(0), C = images.size(1), H = images.size(2),
                     W = images.size(3);
  if (boxes.dim() != 2 || boxes.size(0) != N || boxes.size(1) != 4 ||
      angles_deg.numel() != N || fill.numel() != N * C)
    throw NebenchError("rotate_and_crop: needs N x 4 boxes, N angles and "
                       "N x C fill values for N = " +
                       std::to_string(N));
  if (N == 0)
    return images.clone();
  const auto opts = images.options();
  const torch::Tensor b = boxes.to(opts);
  const torch::Tensor top = b.select(1, 0), left = b.select(1, 1),
                      bh = b.select(1, 2), bw = b.select(1, 3);
  if (!(top >= 0)
           .logical_and(left >= 0)
           .logical_and(bh >= 1)
           .logical_and(bw >= 1)
           .logical_and(top + bh <= H)
           .logical_and(left + bw <= W)
           .all()
           .item<bool>())
    throw NebenchError("rotate_and_crop: a crop box reaches outside the "
                       "image");
  const double Hd = static_cast<double>(H), Wd = static_cast<double>(W);

  // Normalised coordinates (align_corners = false): x = -1 and 1 are the
  // outer edges of columns 0 and W - 1; column u has its centre at
  // x = (2u + 1) / W - 1. Output column l of the resized crop reads column
  // left + (l + 1/2) w / W - 1/2 (interpolate's source index), i.e.
  // x_src = (w / W) x_out + (2 left + w) / W - 1: an affine map.
  const torch::Tensor zero = torch::zeros_like(top);
  const torch::Tensor theta = torch::stack(
      {torch::stack({bw / Wd, zero, (2.0 * left + bw) / Wd - 1.0}, 1),
       torch::stack({zero, bh / Hd, (2.0 * top + bh) / Hd - 1.0}, 1)},
      1);
  torch::Tensor grid = torch::nn::functional::affine_grid(
      theta, {N, C, H, W}, /*align_corners=*/false);
  // interpolate clamps the source index to the crop's pixel centres
  // [left, left + w - 1].
  const auto column = [](const torch::Tensor &v) {
    return v.reshape({-1, 1, 1});
  };
  const torch::Tensor x_lo = column((2.0 * left + 1.0) / Wd - 1.0);
  const torch::Tensor x_hi = column((2.0 * (left + bw) - 1.0) / Wd - 1.0);
  const torch::Tensor y_lo = column((2.0 * top + 1.0) / Hd - 1.0);
  const torch::Tensor y_hi = column((2.0 * (top + bh) - 1.0) / Hd - 1.0);
  const torch::Tensor gx =
      torch::max(torch::min(grid.select(3, 0), x_hi), x_lo) * (Wd / 2.0);
  const torch::Tensor gy =
      torch::max(torch::min(grid.select(3, 1), y_hi), y_lo) * (Hd / 2.0);

  // Rotation about the centre in pixel units (y down): the output at (X, Y)
  // shows the input at (cos a X - sin a Y, sin a X + cos a Y), torchvision's
  // inverse affine matrix of rotate(angle = a), a counter-clockwise turn on
  // screen.
  const torch::Tensor rad =
      angles_deg.to(opts).reshape({-1, 1, 1}) * (pi / 180.0);
  const torch::Tensor c = torch::cos(rad), s = torch::sin(rad);
  const torch::Tensor x_in = (c * gx - s * gy) * (2.0 / Wd);
  const torch::Tensor y_in = (s * gx + c * gy) * (2.0 / Hd);
  grid = torch::stack({x_in, y_in}, 3);

  // grid_sample pads with zeros; sampling x - fill and adding fill back
  // pads with fill and blends it bilinearly at the edge, exactly as
  // torchvision's img * mask + (1 - mask) * fill.
  const torch::Tensor f = fill.to(opts).reshape({N, C, 1, 1});
  namespace F = torch::nn::functional;
  const torch::Tensor out = F::grid_sample(images - f, grid,
                                           F::GridSampleFuncOptions()
                                               .mode(torch::kBilinear)
                                               .padding_mode(torch::kZeros)
                                               .align_corners(false));
  return out + f;
}

} // namespace nebench
