#pragma once
// Errors carry their context (file and JSON path, or file and byte offset /
// line) so that a user can find the problem without reading the code. The CLI
// maps them to exit codes: SpecError and UsageError -> 2, DataError -> 3,
// anything else -> 1.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace nebench {

class NebenchError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A spec file that is malformed or out of range: "FILE: PATH: message".
class SpecError : public NebenchError {
public:
  SpecError(const std::string &file, const std::string &json_path,
            const std::string &message)
      : NebenchError(file + ": " + (json_path.empty() ? "(root)" : json_path) +
                     ": " + message),
        file_(file), path_(json_path) {}
  const std::string &file() const { return file_; }
  const std::string &json_path() const { return path_; }

private:
  std::string file_, path_;
};

/// A valid spec that needs something this build lacks (a method compiled
/// only with LibTorch): `nebench validate` reports it as skipped rather
/// than invalid, `nebench run` refuses it like any SpecError.
class MissingFeatureError : public SpecError {
public:
  using SpecError::SpecError;
};

/// A data file that is missing, corrupt or of the wrong shape.
class DataError : public NebenchError {
public:
  explicit DataError(const std::string &message) : NebenchError(message) {}
  DataError(const std::string &file, const std::string &message)
      : NebenchError(file + ": " + message) {}
  /// Names the byte offset where reading failed.
  static DataError at_offset(const std::string &file, std::int64_t offset,
                             const std::string &message) {
    return DataError(file + ": at byte " + std::to_string(offset) + ": " +
                     message);
  }
  static DataError at_line(const std::string &file, std::int64_t line,
                           const std::string &message) {
    return DataError(file + ":" + std::to_string(line) + ": " + message);
  }
};

/// Bad command-line use.
class UsageError : public NebenchError {
public:
  using NebenchError::NebenchError;
};

/// A run that diverged or produced NaN/Inf: recorded as failed, others go on.
class NumericalError : public NebenchError {
public:
  using NebenchError::NebenchError;
};

/// The user interrupted (SIGINT/SIGTERM); the current write is finished first.
class Interrupted : public NebenchError {
public:
  Interrupted() : NebenchError("interrupted") {}
};

} // namespace nebench
