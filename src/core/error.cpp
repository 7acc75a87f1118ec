#include "core/error.hpp"

namespace wharf {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig: return "config";
    case ErrorKind::kSource: return "source";
    case ErrorKind::kConnection: return "connection";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kStaging: return "staging";
    case ErrorKind::kWarehouse: return "warehouse";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kBusy: return "busy";
    case ErrorKind::kPermission: return "permission";
    case ErrorKind::kInternal: return "internal";
  }
  return "unknown";
}

Error::Error(ErrorKind kind, std::string message)
    : std::runtime_error(message), kind_(kind), message_(std::move(message)), described_(message_) {}

Error& Error::AddContext(std::string context) {
  context_.push_back(std::move(context));
  described_ = Describe();
  return *this;
}

std::string Error::Describe() const {
  std::string out = message_;
  for (const auto& c : context_) {
    out += "\n  while ";
    out += c;
  }
  return out;
}

}  // namespace wharf
