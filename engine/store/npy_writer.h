#pragma once
// Writes NumPy .npy files (format 1.0, little-endian, C order) so that peers
// (R, Python) get exactly the data nebench embeds.

#include "engine/core/matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

void write_npy(const std::string &path, const Matrix &m);
void write_npy(const std::string &path, const std::vector<std::int32_t> &v);

} // namespace nebench
