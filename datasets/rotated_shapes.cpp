#include "datasets/rotated_shapes.h"

#include "datasets/sha256.h"
#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nebench {

namespace {

/// Bump when the drawing or rendering changes, so that old digests (and
/// caches keyed by them) no longer match.
constexpr const char *kVersion = "nebench-rotated-shapes-v1";
/// Outer radius of a shape at scale 1, as a fraction of the image side: with
/// the largest scale (1.15), the farthest corner (square, L: 0.8 * sqrt 2 of
/// the radius) and the largest jitter (S/14) the shape ends 0.46 S from the
/// centre, inside the image.
constexpr double kRadius = 0.3;
/// Sub-pixel grid for anti-aliasing: kSub x kSub points per pixel, placed
/// symmetrically, so that rotating a centred shape by 90 degrees rotates
/// the image exactly.
constexpr int kSub = 4;

/// Whether the point (u, v), in the shape's own frame in units of its outer
/// radius, lies inside shape `s`. Every shape fits in the unit disc (up to
/// the corners of square and L at 0.8 * sqrt 2).
bool inside(int s, double u, double v) {
  const double r2 = u * u + v * v;
  switch (s) {
  case 0: // disc
    return r2 <= 1.0;
  case 1: // ring: a disc with a hole of 0.55 of its radius
    return r2 <= 1.0 && r2 >= 0.55 * 0.55;
  case 2: // square
    return std::abs(u) <= 0.8 && std::abs(v) <= 0.8;
  case 3: { // equilateral triangle inscribed in the unit circle, vertices
            // (0, 1) and (+-sqrt(3)/2, -1/2)
    const double s3 = std::sqrt(3.0);
    return v >= -0.5 && s3 * u + v <= 1.0 && -s3 * u + v <= 1.0;
  }
  case 4: // cross (plus sign), arms 0.6 wide
    return (std::abs(u) <= 0.3 && std::abs(v) <= 1.0) ||
           (std::abs(v) <= 0.3 && std::abs(u) <= 1.0);
  case 5: // bar
    return std::abs(u) <= 1.0 && std::abs(v) <= 0.25;
  case 6: // L-shape: a vertical and a horizontal arm, 0.5 wide
    return (u >= -0.7 && u <= -0.2 && v >= -0.8 && v <= 0.9) ||
           (u >= -0.7 && u <= 0.8 && v >= -0.8 && v <= -0.3);
  default: { // two dots
    const double a = (u - 0.55) * (u - 0.55) + v * v;
    const double b = (u + 0.55) * (u + 0.55) + v * v;
    return a <= 0.35 * 0.35 || b <= 0.35 * 0.35;
  }
  }
}

double uniform(Rng &rng, double lo, double hi) {
  return lo + (hi - lo) * rng.uniform();
}

} // namespace

RotatedShapesOptions RotatedShapesOptions::from_spec(const SpecNode &options) {
  if (!options.is_object())
    options.fail("must be an object, got " + json_type_name(options.raw()));
  RotatedShapesOptions o;
  o.n = options.integer("n", o.n, Range::closed(1, 1e8));
  o.size = options.integer("size", o.size, Range::closed(8, 256));
  o.channels = options.integer("channels", o.channels, Range::closed(1, 3));
  if (o.channels == 2)
    options.fail_at("channels", "must be 1 (grey) or 3 (colour)");
  o.classes = options.integer("classes", o.classes, Range::closed(2, 8));
  o.noise = options.number("noise", o.noise, Range::closed(0, 1));
  o.seed = static_cast<std::uint64_t>(
      options.integer("seed", 0, Range::closed(0, 9.0e15)));
  options.finish();
  const double values = static_cast<double>(o.n) *
                        static_cast<double>(o.channels * o.size * o.size);
  if (values > 2147483648.0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", values);
    options.fail(std::string("n * channels * size^2 = ") + buf +
                 " values, more than the 2^31 allowed");
  }
  return o;
}

json RotatedShapesOptions::to_json() const {
  return json{{"n", n},
              {"size", size},
              {"channels", channels},
              {"classes", classes},
              {"noise", noise},
              {"seed", seed}};
}

const std::vector<std::string> &rotated_shape_names() {
  static const std::vector<std::string> names = {
      "disc",  "ring", "square",  "triangle",
      "cross", "bar",  "L-shape", "two-dots"};
  return names;
}

ShapeDraw draw_rotated_shape(const RotatedShapesOptions &o, std::int64_t index,
                             Rng &rng) {
  ShapeDraw d;
  d.shape = static_cast<int>(index % o.classes);
  d.angle = uniform(rng, 0.0, 2.0 * M_PI);
  d.scale = uniform(rng, 0.85, 1.15);
  const double jitter = static_cast<double>(o.size) / 14.0;
  d.dx = uniform(rng, -jitter, jitter);
  d.dy = uniform(rng, -jitter, jitter);
  for (std::int64_t c = 0; c < o.channels; ++c) {
    d.background[static_cast<std::size_t>(c)] = uniform(rng, 0.0, 0.35);
    d.foreground[static_cast<std::size_t>(c)] = uniform(rng, 0.6, 1.0);
  }
  d.noise = uniform(rng, 0.0, o.noise);
  return d;
}

void render_rotated_shape(const ShapeDraw &d, std::int64_t size,
                          std::int64_t channels, Rng &rng, float *out) {
  const double radius = kRadius * static_cast<double>(size) * d.scale;
  const double cx = 0.5 * static_cast<double>(size) + d.dx;
  const double cy = 0.5 * static_cast<double>(size) + d.dy;
  // Points are rotated by -angle into the shape's frame: the shape appears
  // rotated by +angle.
  const double c = std::cos(d.angle), s = std::sin(d.angle);
  const std::int64_t plane = size * size;
  for (std::int64_t y = 0; y < size; ++y)
    for (std::int64_t x = 0; x < size; ++x) {
      int hits = 0;
      for (int sy = 0; sy < kSub; ++sy)
        for (int sx = 0; sx < kSub; ++sx) {
          const double px = static_cast<double>(x) + (sx + 0.5) / kSub - cx;
          const double py = static_cast<double>(y) + (sy + 0.5) / kSub - cy;
          const double u = (c * px + s * py) / radius;
          const double v = (-s * px + c * py) / radius;
          hits += inside(d.shape, u, v);
        }
      const double coverage = static_cast<double>(hits) / (kSub * kSub);
      for (std::int64_t ch = 0; ch < channels; ++ch) {
        const auto k = static_cast<std::size_t>(ch);
        double value =
            d.background[k] + (d.foreground[k] - d.background[k]) * coverage;
        if (d.noise > 0)
          value += d.noise * rng.normal();
        out[ch * plane + y * size + x] =
            static_cast<float>(std::clamp(value, 0.0, 1.0));
      }
    }
}

Dataset make_rotated_shapes(const RotatedShapesOptions &o) {
  Dataset ds;
  ds.name = "rotated-shapes";
  ds.image = ImageShape{static_cast<int>(o.channels), static_cast<int>(o.size),
                        static_cast<int>(o.size)};
  ds.pixel_max = 1;
  ds.X = Matrix(o.n, ds.image.size());
  ds.labels.resize(static_cast<std::size_t>(o.n));
  for (std::int64_t i = 0; i < o.n; ++i) {
    // One stream per image: image i is the same whatever n is.
    Rng rng(o.seed, static_cast<std::uint64_t>(i));
    const ShapeDraw d = draw_rotated_shape(o, i, rng);
    render_rotated_shape(d, o.size, o.channels, rng, &ds.X(i, 0));
    ds.labels[static_cast<std::size_t>(i)] = d.shape;
  }
  const auto &names = rotated_shape_names();
  ds.class_names.assign(names.begin(), names.begin() + o.classes);
  ds.sha256 = sha256_bytes(std::string(kVersion) + "\n" + ds.name + "\n" +
                           o.to_json().dump());
  ds.indices = identity_indices(o.n);
  return ds;
}

} // namespace nebench
