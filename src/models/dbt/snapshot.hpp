#pragma once
// dbt snapshots: type-2 slowly changing dimensions of a query, with dbt's
// meta columns (dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)
// and its two strategies: timestamp (a row changed when its updated_at grew)
// and check (when any of check_cols differs). Hard deletes close the current
// row when invalidate_hard_deletes (or hard_deletes: invalidate) is set.
#include "models/dbt/materialize.hpp"

namespace wharf::models::dbt {

Outcome BuildSnapshot(Session& session, NodeState& state);

}  // namespace wharf::models::dbt
