#pragma once
// wharf's subcommands. Each returns the process exit code.
#include <atomic>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace wharf::cli {

// Set by SIGINT/SIGTERM.
std::atomic<bool>& StopFlag();
void InstallSignalHandlers();

enum class Stages { kAll, kCaptureOnly, kLoadOnly };

int RunPipeline(const core::Config& config, bool once, Stages stages);
int Validate(const core::Config& config, const std::optional<std::string>& table, bool json);
int Status(const core::Config& config, bool json);
int Resync(const core::Config& config, const std::string& table);
// Rebuilds a warehouse (the configured one, or `target_path`) from kept batches.
int Replay(const core::Config& config, const std::optional<std::string>& target_path);

}  // namespace wharf::cli
