#pragma once
// What `wharf run` checks before it changes anything, so a typo is an error
// at start naming the setting instead of a surprise later.
#include "core/config.hpp"
#include "models/project/project.hpp"

namespace wharf::pipeline {

// A table named without a wildcard that does not exist is a typo.
void CheckTableNames(const core::Config& config);
// Two sources mapping to one warehouse table would overwrite each other.
void CheckTargetCollisions(const core::Config& config);
// A target.tables entry that matches no table would silently leave a table
// in the default mode.
void CheckModeRules(const core::Config& config);
// Reads models.project's dbt_project.yml; throws what is wrong, naming the setting.
models::project::Project CheckModelsProject(const core::Config& config);

}  // namespace wharf::pipeline
