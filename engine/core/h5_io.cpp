#include "engine/core/h5_io.h"

#include "engine/core/errors.h"

#include <type_traits>

namespace nebench::h5 {

namespace {
H5::StrType utf8_string() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

template <class T> H5::PredType native_type() {
  if constexpr (std::is_same_v<T, float>)
    return H5::PredType::NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, double>)
    return H5::PredType::NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return H5::PredType::NATIVE_INT32;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return H5::PredType::NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return H5::PredType::NATIVE_UINT8;
  else
    static_assert(sizeof(T) == 0, "unsupported HDF5 element type");
}

void replace_attr(H5::H5Object &obj, const std::string &name) {
  if (obj.attrExists(name))
    obj.removeAttr(name);
}

void replace_link(H5::Group &parent, const std::string &name) {
  if (parent.nameExists(name))
    parent.unlink(name);
}

std::string object_name(const H5::H5Object &obj) {
  return obj.getFileName() + ":" + obj.getObjName();
}
} // namespace

void quiet() { H5::Exception::dontPrint(); }

void write_attr(H5::H5Object &obj, const std::string &name,
                const std::string &value) {
  replace_attr(obj, name);
  auto t = utf8_string();
  auto a = obj.createAttribute(name, t, H5::DataSpace(H5S_SCALAR));
  a.write(t, value);
}

void write_attr(H5::H5Object &obj, const std::string &name,
                std::int64_t value) {
  replace_attr(obj, name);
  auto a = obj.createAttribute(name, H5::PredType::NATIVE_INT64,
                               H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_INT64, &value);
}

void write_attr(H5::H5Object &obj, const std::string &name, double value) {
  replace_attr(obj, name);
  auto a = obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE,
                               H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_DOUBLE, &value);
}

bool has_attr(const H5::H5Object &obj, const std::string &name) {
  return obj.attrExists(name);
}

std::string read_string_attr(const H5::H5Object &obj, const std::string &name) {
  if (!obj.attrExists(name))
    throw DataError(object_name(obj), "missing attribute '" + name + "'");
  auto a = obj.openAttribute(name);
  if (a.getTypeClass() != H5T_STRING)
    throw DataError(object_name(obj),
                    "attribute '" + name + "' is not a string");
  std::string out;
  a.read(a.getStrType(), out);
  return out;
}

std::int64_t read_int_attr(const H5::H5Object &obj, const std::string &name) {
  if (!obj.attrExists(name))
    throw DataError(object_name(obj), "missing attribute '" + name + "'");
  auto a = obj.openAttribute(name);
  if (a.getTypeClass() != H5T_INTEGER)
    throw DataError(object_name(obj),
                    "attribute '" + name + "' is not an integer");
  std::int64_t v = 0;
  a.read(H5::PredType::NATIVE_INT64, &v);
  return v;
}

double read_double_attr(const H5::H5Object &obj, const std::string &name) {
  if (!obj.attrExists(name))
    throw DataError(object_name(obj), "missing attribute '" + name + "'");
  auto a = obj.openAttribute(name);
  if (a.getTypeClass() != H5T_FLOAT && a.getTypeClass() != H5T_INTEGER)
    throw DataError(object_name(obj),
                    "attribute '" + name + "' is not numeric");
  double v = 0;
  a.read(H5::PredType::NATIVE_DOUBLE, &v);
  return v;
}

std::vector<std::string> attr_names(const H5::H5Object &obj) {
  std::vector<std::string> names;
  const int count = obj.getNumAttrs();
  for (int i = 0; i < count; ++i)
    names.push_back(obj.openAttribute(static_cast<unsigned>(i)).getName());
  return names;
}

bool exists(const H5::Group &parent, const std::string &name) {
  return parent.nameExists(name);
}

H5::Group require_group(H5::Group &parent, const std::string &name) {
  if (parent.nameExists(name))
    return parent.openGroup(name);
  auto lcpl = H5::LinkCreatPropList();
  H5Pset_create_intermediate_group(lcpl.getId(), 1);
  return parent.createGroup(name, lcpl);
}

std::vector<std::string> children(const H5::Group &group) {
  std::vector<std::string> names;
  const hsize_t count = group.getNumObjs();
  for (hsize_t i = 0; i < count; ++i)
    names.push_back(group.getObjnameByIdx(i));
  return names;
}

template <class T>
void write_matrix(H5::Group &parent, const std::string &name,
                  const DenseMatrix<T> &m) {
  replace_link(parent, name);
  const hsize_t dims[2] = {static_cast<hsize_t>(m.rows),
                           static_cast<hsize_t>(m.cols)};
  H5::DataSpace space(2, dims);
  auto ds = parent.createDataSet(name, native_type<T>(), space);
  if (!m.data.empty())
    ds.write(m.data.data(), native_type<T>());
}

template <class T>
DenseMatrix<T> read_matrix(const H5::Group &parent, const std::string &name) {
  if (!parent.nameExists(name))
    throw DataError(object_name(parent), "missing dataset '" + name + "'");
  auto ds = parent.openDataSet(name);
  auto space = ds.getSpace();
  if (space.getSimpleExtentNdims() != 2)
    throw DataError(object_name(parent),
                    "dataset '" + name + "' is not 2-dimensional");
  hsize_t dims[2];
  space.getSimpleExtentDims(dims);
  DenseMatrix<T> m(static_cast<std::int64_t>(dims[0]),
                   static_cast<std::int64_t>(dims[1]));
  if (!m.data.empty())
    ds.read(m.data.data(), native_type<T>());
  return m;
}

template <class T>
void write_vector(H5::Group &parent, const std::string &name,
                  const std::vector<T> &v) {
  replace_link(parent, name);
  const hsize_t dims[1] = {static_cast<hsize_t>(v.size())};
  H5::DataSpace space(1, dims);
  auto ds = parent.createDataSet(name, native_type<T>(), space);
  if (!v.empty())
    ds.write(v.data(), native_type<T>());
}

template <class T>
std::vector<T> read_vector(const H5::Group &parent, const std::string &name) {
  if (!parent.nameExists(name))
    throw DataError(object_name(parent), "missing dataset '" + name + "'");
  auto ds = parent.openDataSet(name);
  auto space = ds.getSpace();
  if (space.getSimpleExtentNdims() != 1)
    throw DataError(object_name(parent),
                    "dataset '" + name + "' is not 1-dimensional");
  hsize_t dims[1];
  space.getSimpleExtentDims(dims);
  std::vector<T> v(static_cast<std::size_t>(dims[0]));
  if (!v.empty())
    ds.read(v.data(), native_type<T>());
  return v;
}

void write_strings(H5::Group &parent, const std::string &name,
                   const std::vector<std::string> &v) {
  replace_link(parent, name);
  const hsize_t dims[1] = {static_cast<hsize_t>(v.size())};
  H5::DataSpace space(1, dims);
  auto t = utf8_string();
  auto ds = parent.createDataSet(name, t, space);
  std::vector<const char *> ptrs;
  for (const auto &s : v)
    ptrs.push_back(s.c_str());
  if (!ptrs.empty())
    ds.write(ptrs.data(), t);
}

std::vector<std::string> read_strings(const H5::Group &parent,
                                      const std::string &name) {
  if (!parent.nameExists(name))
    throw DataError(object_name(parent), "missing dataset '" + name + "'");
  auto ds = parent.openDataSet(name);
  auto space = ds.getSpace();
  hsize_t dims[1] = {0};
  space.getSimpleExtentDims(dims);
  std::vector<char *> ptrs(static_cast<std::size_t>(dims[0]), nullptr);
  auto t = utf8_string();
  if (!ptrs.empty())
    ds.read(ptrs.data(), t);
  std::vector<std::string> out;
  for (char *p : ptrs)
    out.emplace_back(p ? p : "");
  if (!ptrs.empty())
    H5Dvlen_reclaim(t.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
  return out;
}

#define NEBENCH_H5_INSTANTIATE(T)                                              \
  template void write_matrix<T>(H5::Group &, const std::string &,              \
                                const DenseMatrix<T> &);                       \
  template DenseMatrix<T> read_matrix<T>(const H5::Group &,                    \
                                         const std::string &);                 \
  template void write_vector<T>(H5::Group &, const std::string &,              \
                                const std::vector<T> &);                       \
  template std::vector<T> read_vector<T>(const H5::Group &,                    \
                                         const std::string &);
NEBENCH_H5_INSTANTIATE(float)
NEBENCH_H5_INSTANTIATE(double)
NEBENCH_H5_INSTANTIATE(std::int32_t)
NEBENCH_H5_INSTANTIATE(std::int64_t)
NEBENCH_H5_INSTANTIATE(std::uint8_t)
#undef NEBENCH_H5_INSTANTIATE

} // namespace nebench::h5
