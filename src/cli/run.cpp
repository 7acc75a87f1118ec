#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <algorithm>
#include <thread>

#include "capture/capture.hpp"
#include "capture/source_setup.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "core/error.hpp"
#include "load/loader.hpp"
#include "staging/codec.hpp"
#include "staging/layout.hpp"
#include "staging/local_store.hpp"

namespace wharf::cli {

std::atomic<bool>& StopFlag() {
  static std::atomic<bool> stop{false};
  return stop;
}

namespace {
void OnSignal(int) { StopFlag() = true; }

// Two sources mapping to one warehouse table would overwrite each other.
void CheckTargetCollisions(const core::Config& config) {
  if (config.sources.size() < 2) return;
  std::map<std::string, std::string> owner;
  for (const auto& s : config.sources) {
    auto conn = pg::Connection::Open(s.dsn, false, "wharf check " + s.name);
    for (const auto& t : capture::SelectTables(conn, s)) {
      std::string target = config.TargetSchema(s, t.name.schema) + "." + t.name.name;
      auto [it, fresh] = owner.emplace(target, s.name);
      if (!fresh) {
        Fail(ErrorKind::kConfig,
             "sources {} and {} both map a table to warehouse table {}; give one of them a "
             "target_schema in wharf.yaml",
             it->second, s.name, target);
      }
    }
  }
}

// A target.tables entry that matches no table is a typo that would silently
// leave a table in the default mode.
void CheckModeRules(const core::Config& config) {
  if (config.target.table_modes.empty()) return;
  std::vector<load::ModeRules::Table> tables;
  for (const auto& s : config.sources) {
    auto conn = pg::Connection::Open(s.dsn, false, "wharf check " + s.name);
    for (const auto& t : capture::SelectTables(conn, s))
      tables.push_back({t.name, {config.TargetSchema(s, t.name.schema), t.name.name}});
  }
  load::ModeRules(config.target).CheckAllMatch(tables);
}
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int RunPipeline(const core::Config& config, bool once, Stages stages) {
  auto store = staging::OpenObjectStore(config.staging.url, config.base_dir);
  std::unique_ptr<load::Warehouse> warehouse;
  if (stages != Stages::kCaptureOnly) warehouse = load::OpenWarehouse(config.target, config.base_dir);
  if (stages != Stages::kLoadOnly) CheckTargetCollisions(config);
  if (stages != Stages::kLoadOnly) CheckModeRules(config);

  std::mutex mu;
  std::condition_variable wake;
  bool pending = true;
  std::optional<Error> failure;
  std::atomic<size_t> running{0};
  std::atomic<bool> abort{false};
  // Captures stop on a signal or when another stage failed.
  std::atomic<bool> capture_stop{false};

  std::vector<std::unique_ptr<capture::Capture>> captures;
  std::vector<std::thread> threads;
  if (stages != Stages::kLoadOnly) {
    capture::CaptureOptions opts;
    opts.batch.compression = staging::ParseCompression(config.staging.compression);
    opts.max_batch_bytes = config.staging.batch_max_bytes;
    opts.max_interval = config.staging.batch_max_interval;
    opts.once = once;
    opts.copy_workers = config.full_load.workers
                            ? config.full_load.workers
                            : std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8);
    auto* local = dynamic_cast<staging::LocalStore*>(store.get());
    for (const auto& s : config.sources) {
      // Streamed transactions spool next to a local staging directory.
      opts.spool_dir = local ? (local->root() / staging::EncodePathSegment(s.name) / "spool").string() : "";
      captures.push_back(std::make_unique<capture::Capture>(s, *store, opts, [&](const staging::Manifest&) {
        std::lock_guard lock(mu);
        pending = true;
        wake.notify_all();
      }));
    }
    running = captures.size();
    for (auto& c : captures) {
      threads.emplace_back([&, cap = c.get()] {
        try {
          cap->Run(capture_stop);
        } catch (const Error& e) {
          std::lock_guard lock(mu);
          if (!failure) failure = e;
          abort = true;
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          if (!failure) failure = Error(ErrorKind::kInternal, e.what());
          abort = true;
        }
        running--;
        std::lock_guard lock(mu);
        wake.notify_all();
      });
    }
  }

  std::optional<ProgressReporter> progress;
  if (stages != Stages::kLoadOnly) progress.emplace(config, *store);

  std::unique_ptr<load::Loader> loader;
  if (warehouse) {
    loader = std::make_unique<load::Loader>(*store, *warehouse, load::LoaderOptions::FromEnvironment(),
                                            load::ModeRules(config.target));
  }
  auto catch_up = [&]() {
    for (const auto& s : config.sources) loader->CatchUp(s);
  };

  int code = 0;
  try {
    for (;;) {
      if (StopFlag() || abort) capture_stop = true;
      bool captures_done = running == 0;
      {
        std::unique_lock lock(mu);
        if (!pending && !captures_done && !capture_stop) {
          wake.wait_for(lock, std::chrono::milliseconds(stages == Stages::kLoadOnly ? 1000 : 200));
        }
        pending = false;
      }
      if (loader && !abort) catch_up();
      if (stages == Stages::kLoadOnly && (once || StopFlag())) break;
      if (stages != Stages::kLoadOnly && running == 0) {
        if (loader && !abort) catch_up();  // whatever the last batches were
        break;
      }
    }
  } catch (const Error& e) {
    capture_stop = true;
    std::lock_guard lock(mu);
    if (!failure) failure = e;
  } catch (const std::exception& e) {
    // Not a wharf::Error (a filesystem or library exception): report it like
    // one rather than let it unwind past the joinable capture threads, which
    // ends the process with "terminate called without an active exception".
    capture_stop = true;
    std::lock_guard lock(mu);
    if (!failure) failure = Error(ErrorKind::kInternal, std::string("load: ") + e.what());
  }
  capture_stop = true;
  for (auto& t : threads) t.join();
  if (failure) {
    spdlog::error("{}", failure->Describe());
    code = failure->kind() == ErrorKind::kConfig ? 2 : 1;
  } else {
    spdlog::info("wharf: {}", StopFlag() ? "stopped cleanly" : "done");
  }
  return code;
}

}  // namespace wharf::cli
