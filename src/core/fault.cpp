#include "core/fault.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace wharf::core {

namespace {
struct FaultSpec {
  std::string name;
  long target = 1;
  std::atomic<long> hits{0};
  bool enabled = false;
  FaultSpec() {
    const char* env = std::getenv("WHARF_FAULT");
    if (!env || !*env) return;
    std::string s = env;
    auto colon = s.find(':');
    name = s.substr(0, colon);
    if (colon != std::string::npos) target = std::strtol(s.c_str() + colon + 1, nullptr, 10);
    enabled = true;
  }
};
FaultSpec& Spec() {
  static FaultSpec spec;
  return spec;
}
}  // namespace

bool FaultsEnabled() { return Spec().enabled; }

void FaultPointSlow(std::string_view name) {
  auto& spec = Spec();
  if (name != spec.name) return;
  if (spec.hits.fetch_add(1) + 1 == spec.target) {
    static const char msg[] = "wharf: fault point reached, killing self\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::kill(::getpid(), SIGKILL);
  }
}

}  // namespace wharf::core
