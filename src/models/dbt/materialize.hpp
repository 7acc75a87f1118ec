#pragma once
// Builds one node in the warehouse: a model by its materialization (view,
// table, incremental, ephemeral), a seed from its CSV, a snapshot (SCD2), or
// runs a test. Each node is one warehouse transaction with its hooks, so a
// failed node leaves what was there before.
#include <cstdint>
#include <optional>
#include <string>

#include "models/dbt/session.hpp"

namespace wharf::models::dbt {

struct Outcome {
  std::string status;   // success | error | skipped | pass | fail | warn
  std::string message;  // what dbt prints: "OK", "CREATE VIEW", "INSERT 5", "Got 3 results, ..."
  std::optional<int64_t> failures;  // tests
  int64_t rows = -1;                // rows written, when known
};

// Throws wharf::Error on failure, after rolling back.
Outcome BuildNode(Session& session, NodeState& state);
Outcome RunTestNode(Session& session, NodeState& state);

}  // namespace wharf::models::dbt
