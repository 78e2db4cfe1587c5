// Exceptions used across the host controller. Each names the input that was
// wrong (a file, a config key, a peer, a shape) in its message.
#pragma once

#include <stdexcept>
#include <string>

namespace sqt {

// Base of all SQT errors; what() is a complete sentence for the operator.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Wrong command-line flag or configuration file content.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Malformed or unreadable input file (dataset, checkpoint, model, image).
class FileError : public Error {
 public:
  using Error::Error;
};

// Party network failure: peer gone, timeout, bad frame, refused certificate.
class NetError : public Error {
 public:
  using Error::Error;
};

// Tensor or matrix dimensions that do not fit together.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A requested backend or device is not available (no card, no XRT, no image).
class BackendError : public Error {
 public:
  using Error::Error;
};

// A malicious-security check failed (MAC, hash or sacrifice check in
// Protocol::verify): some party deviated from the protocol or data was
// corrupted. Thrown on every party; nothing computed since the last passed
// check may be revealed, checkpointed or exported.
class VerificationError : public Error {
 public:
  using Error::Error;
};

}  // namespace sqt
