#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "staging/object_store.hpp"
#include "staging/state_store.hpp"

namespace wharf::cli {

// Leaves a request in the staging store's state folder: a running capture
// picks it up within seconds and copies the table again while the others keep
// streaming; without a running capture, the next start does.
int Resync(const core::Config& config, const std::string& table) {
  auto store = staging::OpenObjectStore(config.staging, config.base_dir);
  int requested = 0;
  for (const auto& s : config.sources) {
    staging::StateStore states(*store, s.name);
    auto state = states.Load();
    if (!state || !state->Find(table)) continue;
    states.RequestResync(table);
    fmt::print("resync of {} requested for source {}: a running `wharf run` copies it again "
               "within seconds, while the other tables keep streaming (or the next start does)\n",
               table, s.name);
    ++requested;
  }
  if (!requested) {
    Fail(ErrorKind::kConfig,
         "no source replicates table {}; name it as schema.table, as `wharf status` lists it", table);
  }
  return 0;
}

}  // namespace wharf::cli
