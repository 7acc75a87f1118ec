#pragma once
// Named crash points for fault tests. With WHARF_FAULT=<name>[:<n>] in the
// environment, the n-th (default first) time execution reaches the point
// named <name>, the process kills itself with SIGKILL, as a power cut would.
// Without the variable a point costs one relaxed atomic load.
#include <string_view>

namespace wharf::core {

void FaultPointSlow(std::string_view name);
bool FaultsEnabled();

inline void FaultPoint(std::string_view name) {
  if (FaultsEnabled()) FaultPointSlow(name);
}

}  // namespace wharf::core
