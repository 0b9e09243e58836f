#include "engine/torch/augment/augment_config.h"

#include "engine/core/errors.h"

#include <cmath>
#include <string>

namespace nebench {

AugmentConfig AugmentConfig::natural() { return AugmentConfig{}; }

AugmentConfig AugmentConfig::digits() {
  AugmentConfig c;
  c.hflip_p = 0.0;
  return c;
}

AugmentConfig AugmentConfig::medical() {
  AugmentConfig c;
  c.rot90_p = 0.5;
  c.rotate_degrees = 45.0;
  c.vflip_p = 0.5;
  return c;
}

AugmentConfig AugmentConfig::none() {
  // The jitter strengths and crop ratios keep natural()'s values, so that
  // {"preset": "none", "jitter_p": 1} switches on t-SimCNE's jitter alone.
  AugmentConfig c;
  c.crop_scale_min = 1.0;
  c.crop_scale_max = 1.0;
  c.hflip_p = 0.0;
  c.jitter_p = 0.0;
  c.grayscale_p = 0.0;
  return c;
}

AugmentConfig AugmentConfig::preset(const std::string &name) {
  if (name == "natural")
    return natural();
  if (name == "digits")
    return digits();
  if (name == "medical")
    return medical();
  if (name == "none")
    return none();
  throw NebenchError("augmentation: unknown preset \"" + name +
                     "\" (natural, digits, medical, none)");
}

namespace {

const Range probability = Range::closed(0.0, 1.0);
const Range scale = {0.0, 1.0, true, false};
const Range strength = Range::at_least(0.0);

} // namespace

AugmentConfig AugmentConfig::from_spec(const SpecNode &node) {
  const std::string name =
      node.string("preset", std::string("natural"),
                  {"natural", "digits", "medical", "none"});
  AugmentConfig c = preset(name);
  c.crop_scale_min = node.number("crop_scale_min", c.crop_scale_min, scale);
  c.crop_scale_max = node.number("crop_scale_max", c.crop_scale_max, scale);
  if (c.crop_scale_max < c.crop_scale_min)
    node.fail_at("crop_scale_max", "must be >= crop_scale_min (" +
                                       std::to_string(c.crop_scale_min) + ")");
  c.crop_ratio_min =
      node.number("crop_ratio_min", c.crop_ratio_min, Range::positive());
  c.crop_ratio_max =
      node.number("crop_ratio_max", c.crop_ratio_max, Range::positive());
  if (c.crop_ratio_max < c.crop_ratio_min)
    node.fail_at("crop_ratio_max", "must be >= crop_ratio_min (" +
                                       std::to_string(c.crop_ratio_min) + ")");
  c.hflip_p = node.number("hflip_p", c.hflip_p, probability);
  c.vflip_p = node.number("vflip_p", c.vflip_p, probability);
  c.jitter_p = node.number("jitter_p", c.jitter_p, probability);
  c.brightness = node.number("brightness", c.brightness, strength);
  c.contrast = node.number("contrast", c.contrast, strength);
  c.saturation = node.number("saturation", c.saturation, strength);
  c.hue = node.number("hue", c.hue, Range::closed(0.0, 0.5));
  c.grayscale_p = node.number("grayscale_p", c.grayscale_p, probability);
  c.rot90_p = node.number("rot90_p", c.rot90_p, probability);
  c.rotate_degrees =
      node.number("rotate_degrees", c.rotate_degrees, Range::closed(0, 180));
  node.finish();
  return c;
}

void AugmentConfig::validate() const {
  const auto check = [](const char *name, double v, Range r) {
    if (!r.contains(v) || std::isinf(v))
      throw NebenchError(std::string("augmentation: ") + name + " = " +
                         std::to_string(v) + " must be finite and in " +
                         r.describe());
  };
  check("crop_scale_min", crop_scale_min, scale);
  check("crop_scale_max", crop_scale_max, scale);
  check("crop_ratio_min", crop_ratio_min, Range::positive());
  check("crop_ratio_max", crop_ratio_max, Range::positive());
  check("hflip_p", hflip_p, probability);
  check("vflip_p", vflip_p, probability);
  check("jitter_p", jitter_p, probability);
  check("brightness", brightness, strength);
  check("contrast", contrast, strength);
  check("saturation", saturation, strength);
  check("hue", hue, Range::closed(0.0, 0.5));
  check("grayscale_p", grayscale_p, probability);
  check("rot90_p", rot90_p, probability);
  check("rotate_degrees", rotate_degrees, Range::closed(0, 180));
  if (crop_scale_max < crop_scale_min)
    throw NebenchError("augmentation: crop_scale_max must be >= "
                       "crop_scale_min");
  if (crop_ratio_max < crop_ratio_min)
    throw NebenchError("augmentation: crop_ratio_max must be >= "
                       "crop_ratio_min");
}

} // namespace nebench
