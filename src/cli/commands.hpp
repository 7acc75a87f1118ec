#pragma once
// wharf's subcommands. Each returns the process exit code.
#include <atomic>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "pipeline/pipeline.hpp"

namespace wharf::cli {

// Set by SIGINT/SIGTERM.
std::atomic<bool>& StopFlag();
void InstallSignalHandlers();

int RunPipeline(const core::Config& config, bool once, pipeline::Stages stages);
int Validate(const core::Config& config, const std::optional<std::string>& table, bool json);
int Status(const core::Config& config, bool json);
int Resync(const core::Config& config, const std::string& table);
// Rebuilds a warehouse (the configured one, or `target_path`) from kept batches.
int Replay(const core::Config& config, const std::optional<std::string>& target_path);
// Writes a starter configuration to `output` from what the source at `dsn` holds.
int Init(const std::string& dsn, const std::string& output, bool force);
// Checks every prerequisite of the configuration; prints each failure with its fix.
int Doctor(const core::Config& config);

}  // namespace wharf::cli
