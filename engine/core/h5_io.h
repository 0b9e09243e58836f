#pragma once
// Thin helpers over the HDF5 C++ API for the types nebench stores: string /
// integer / double attributes, 1-D and 2-D numeric datasets, 1-D string
// datasets. Strings are variable-length UTF-8 so that h5py reads them as str.

#include "engine/core/matrix.h"

#include <H5Cpp.h>
#include <cstdint>
#include <string>
#include <vector>

namespace nebench::h5 {

/// Silences the HDF5 error stack printer (we turn failures into exceptions).
void quiet();

void write_attr(H5::H5Object &obj, const std::string &name,
                const std::string &value);
void write_attr(H5::H5Object &obj, const std::string &name, std::int64_t value);
void write_attr(H5::H5Object &obj, const std::string &name, double value);

bool has_attr(const H5::H5Object &obj, const std::string &name);
std::string read_string_attr(const H5::H5Object &obj, const std::string &name);
std::int64_t read_int_attr(const H5::H5Object &obj, const std::string &name);
double read_double_attr(const H5::H5Object &obj, const std::string &name);
std::vector<std::string> attr_names(const H5::H5Object &obj);

bool exists(const H5::Group &parent, const std::string &name);
/// Opens `name` below `parent`, creating it (and missing parents) if needed.
H5::Group require_group(H5::Group &parent, const std::string &name);
std::vector<std::string> children(const H5::Group &group);

template <class T>
void write_matrix(H5::Group &parent, const std::string &name,
                  const DenseMatrix<T> &m);
template <class T>
DenseMatrix<T> read_matrix(const H5::Group &parent, const std::string &name);
template <class T>
void write_vector(H5::Group &parent, const std::string &name,
                  const std::vector<T> &v);
template <class T>
std::vector<T> read_vector(const H5::Group &parent, const std::string &name);

void write_strings(H5::Group &parent, const std::string &name,
                   const std::vector<std::string> &v);
std::vector<std::string> read_strings(const H5::Group &parent,
                                      const std::string &name);

} // namespace nebench::h5
