#pragma once
// wharf::Error: thrown for what ends an operation. Carries a kind (so callers
// can choose exit codes and retries), a message that says what happened and
// what to do, and a context chain added as the error travels up.
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace wharf {

enum class ErrorKind {
  kConfig,       // bad or missing configuration: the user must edit wharf.yaml
  kSource,       // PostgreSQL refused or failed
  kConnection,   // a connection dropped; retrying may succeed
  kProtocol,     // malformed bytes from the wire or a file
  kStaging,      // staged files: I/O, missing, corrupt
  kWarehouse,    // the warehouse refused or failed
  kUnsupported,  // a feature or type wharf cannot handle safely
  kBusy,         // another process holds what this one needs (a staging lease)
  kPermission,   // a role lacks a privilege or cannot log in: someone must grant or fix it
  kInternal,     // a bug in wharf
};

const char* ErrorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message);

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  const std::vector<std::string>& context() const { return context_; }

  // Adds "while ..." context; returns *this so `throw e.AddContext(...)` reads well.
  Error& AddContext(std::string context);
  // Message followed by the context chain, innermost first.
  std::string Describe() const;
  const char* what() const noexcept override { return described_.c_str(); }

 private:
  ErrorKind kind_;
  std::string message_;
  std::vector<std::string> context_;
  std::string described_;
};

template <typename... Args>
[[noreturn]] void Fail(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(kind, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace wharf
