#include "pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "capture/capture.hpp"
#include "core/error.hpp"
#include "load/loader.hpp"
#include "load/staging_upkeep.hpp"
#include "pipeline/log_sink.hpp"
#include "pipeline/models_after_load.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/read_replica.hpp"
#include "pipeline/retry_policy.hpp"
#include "pipeline/source_monitor.hpp"
#include "pipeline/start_checks.hpp"
#include "pipeline/status_report.hpp"
#include "staging/codec.hpp"
#include "staging/fresh_cache.hpp"
#include "staging/layout.hpp"
#include "staging/lease.hpp"
#include "validate/validate.hpp"

namespace wharf::pipeline {

using Clock = std::chrono::steady_clock;

struct Pipeline::State {
  State(const core::Config& config, Board& board) : models(config), logging(board) {}
  std::vector<std::unique_ptr<staging::Lease>> leases;
  std::unique_ptr<staging::FreshCache> fresh_cache;
  // The loader thread's: the warehouse, while available.
  std::unique_ptr<load::Warehouse> warehouse;
  std::unique_ptr<load::Loader> loader;
  std::string warehouse_down;  // why the last attempt failed; empty: none failed
  int warehouse_attempts = 0;
  Clock::time_point next_open_try{};
  Clock::time_point next_report{};
  ModelsAfterLoad models;
  std::unique_ptr<load::StagingUpkeep> upkeep;
  RowCounter row_counter{std::chrono::seconds(30)};
  std::unique_ptr<ReadReplica> replica;

  std::mutex mu;
  std::condition_variable wake;
  bool pending = true;               // guarded by mu
  std::optional<Error> failure;      // guarded by mu; the first one
  std::vector<std::string> drop_slots;  // guarded by mu; the slot guard's decisions
  std::atomic<size_t> running{0};    // capture threads alive
  std::atomic<bool> abort{false};    // a stage failed: stop everything
  std::atomic<bool> capture_stop{false};
  std::vector<std::unique_ptr<capture::Capture>> captures;
  std::vector<std::thread> threads;
  std::optional<ProgressReporter> progress;
  std::unique_ptr<SourceMonitor> monitor;
  // Validations read the loader's DuckDB database from other threads: the
  // loader closes the warehouse only under the unique lock.
  std::shared_mutex warehouse_use;
  std::thread validator;  // validate.every
  bool validator_stop = false;  // guarded by mu
  void CloseWarehouse() {
    std::unique_lock lock(warehouse_use);
    loader.reset();
    warehouse.reset();
  }
  BoardLogging logging;  // last: detached after everything else is gone

  void Failed(Error e) {
    std::lock_guard lock(mu);
    if (!failure) failure = std::move(e);
    abort = true;
    wake.notify_all();
  }
};

namespace {

std::vector<std::string> SourceNames(const core::Config& config) {
  std::vector<std::string> names;
  for (const auto& s : config.sources) names.push_back(s.name);
  return names;
}

// Half the cores by default: a copy worker and its PostgreSQL backend cost
// about as much CPU per row as loading the row (bench/README.md), so more
// copy workers than that only take cores from the loader. On 2 cores, in
// one run: one worker 0.605 of COPY's rate, two 0.551.
size_t CopyWorkers(const core::Config& config) {
  return config.full_load.workers ? config.full_load.workers
                                  : std::clamp<size_t>(std::thread::hardware_concurrency() / 2, 1, 8);
}

}  // namespace

std::string PipelineId(const core::Config& config) {
  std::string staging = config.staging.url;
  if (staging.rfind("file://", 0) == 0) {
    std::filesystem::path p = staging.substr(7);
    staging = "file://" + std::filesystem::weakly_canonical(p.is_relative() ? std::filesystem::path(config.base_dir) / p : p).string();
  }
  std::string target = config.target.type == "duckdb"
                           ? std::filesystem::weakly_canonical(load::DuckDbFile(config.target, config.base_dir)).string()
                           : config.target.dsn;
  return staging::Sha256Hex(staging + "\n" + config.target.type + "\n" + target).substr(0, 16);
}

Pipeline::Pipeline(const core::Config& config, Options options)
    : config_(config),
      options_(options),
      store_(staging::OpenObjectStore(config.staging, config.base_dir)),
      board_(SourceNames(config)),
      tasks_([this] { Wake(); }),
      state_(std::make_unique<State>(config, board_)) {
  TakeLeases();
}

Pipeline::~Pipeline() {
  // Run joins its threads; a pipeline destroyed without Run has none.
  tasks_.Close("wharf run is stopping; run the command again once it has stopped");
}

void Pipeline::Wake() {
  std::lock_guard lock(state_->mu);
  state_->pending = true;
  state_->wake.notify_all();
}

// Before any staged file is touched (capture's start-up recovery deletes
// files no manifest names yet): a second process on the same source and
// prefix stops here, naming the holder, having changed nothing.
void Pipeline::TakeLeases() {
  for (const auto& s : config_.sources) {
    for (auto role : {staging::LeaseRole::kCapture, staging::LeaseRole::kLoad}) {
      if (role == staging::LeaseRole::kCapture && options_.stages == Stages::kLoadOnly) continue;
      if (role == staging::LeaseRole::kLoad && options_.stages == Stages::kCaptureOnly) continue;
      try {
        state_->leases.push_back(
            store_->TakeLease(staging::LeasePath(s.name, role), staging::LeaseRecord::Mine(role)));
      } catch (Error& e) {
        throw e.AddContext("taking the " + std::string(staging::LeaseRoleName(role)) + " lease of source " + s.name);
      }
    }
  }
}

// An unavailable warehouse (another process holds the DuckDB file, the
// server is down) is an outage to ride out, not a reason to stop capturing:
// capture keeps staging, up to staging.max_pending_bytes, and the loader
// retries as the retry policy says. --once (a batch job) fails at once.
bool Pipeline::WarehouseReady() {
  auto& st = *state_;
  if (options_.stages == Stages::kCaptureOnly) return false;
  if (st.loader) return true;
  if (Clock::now() < st.next_open_try) return false;
  try {
    st.warehouse = load::OpenWarehouse(config_.target, config_.base_dir);
    st.loader = std::make_unique<load::Loader>(*store_, *st.warehouse, load::LoaderOptions::FromEnvironment(),
                                               load::ModeRules(config_.target), st.fresh_cache.get());
    st.loader->SetObserver([this](const staging::Manifest& m) { board_.Applied(m); });
    if (!st.warehouse_down.empty()) spdlog::info("warehouse available again: loading the staged batches");
    st.warehouse_down.clear();
    st.warehouse_attempts = 0;
    return true;
  } catch (const Error& e) {
    auto decision = RetryPolicy(options_.once).Decide(Part::kWarehouse, e.kind(), ++st.warehouse_attempts);
    if (!decision.retry) throw;
    if (st.warehouse_down.empty()) {
      spdlog::warn("warehouse unavailable: {}\n  capture keeps staging (up to staging.max_pending_bytes, {} "
                   "bytes); retrying every {} s",
                   e.message(), config_.staging.max_pending_bytes, decision.delay.count() / 1000.0);
    }
    st.warehouse_down = e.message();
    st.next_open_try = Clock::now() + decision.delay;
    st.CloseWarehouse();
    return false;
  }
}

void Pipeline::CheckStart() {
  // A models.project that is not a dbt project is a typo to catch at start,
  // not a build error every models.every.
  if (options_.stages != Stages::kCaptureOnly && !config_.models.project.empty()) CheckModelsProject(config_);
  if (options_.stages != Stages::kLoadOnly) {
    CheckTableNames(config_);
    CheckTargetCollisions(config_);
    CheckModeRules(config_);
  }
}

void Pipeline::StartCaptures() {
  auto& st = *state_;
  if (options_.stages == Stages::kLoadOnly) return;
  const size_t copy_workers = CopyWorkers(config_);
  capture::CaptureOptions opts;
  opts.batch.compression = staging::ParseCompression(config_.staging.compression);
  opts.batch.format = staging::ParseFormat(config_.staging.format);
  opts.batch.fresh_cache = st.fresh_cache.get();
  opts.max_batch_bytes = config_.staging.batch_max_bytes;
  opts.max_interval = config_.staging.batch_max_interval;
  opts.once = options_.once;
  opts.max_pending_bytes = config_.staging.max_pending_bytes;
  opts.full_load_batch_bytes = config_.full_load.batch_bytes;
  opts.copy_workers = copy_workers;
  auto local = store_->LocalRoot();
  for (const auto& s : config_.sources) {
    // Streamed transactions spool next to a local staging directory; with a
    // remote store, in a temp folder named after the store, so captures of
    // two buckets or prefixes on one machine never share a spool.
    opts.spool_dir = local ? (*local / staging::EncodePathSegment(s.name) / "spool").string()
                           : (std::filesystem::temp_directory_path() /
                              ("wharf-spool-" + staging::Sha256Hex(store_->Describe()).substr(0, 16)) /
                              staging::EncodePathSegment(s.name))
                                 .string();
    st.captures.push_back(std::make_unique<capture::Capture>(s, *store_, opts, [this](const staging::Manifest& m) {
      board_.Staged(m);
      Wake();
    }));
  }
  st.running = st.captures.size();
  for (size_t i = 0; i < st.captures.size(); ++i) st.threads.emplace_back([this, i] { CaptureThread(i); });
}

// One capture: connection lifetimes retried as the retry policy says.
void Pipeline::CaptureThread(size_t index) {
  auto& st = *state_;
  auto& cap = *st.captures[index];
  const auto& source = config_.sources[index];
  RetryPolicy policy(options_.once);
  int attempt = 0;
  try {
    for (;;) {
      try {
        if (cap.RunConnection(st.capture_stop)) break;
        attempt = 0;
      } catch (Error& e) {
        auto decision = policy.Decide(Part::kCapture, e.kind(), ++attempt);
        if (!decision.retry || st.capture_stop) throw e.AddContext("capturing source " + source.name);
        spdlog::warn("capture {}: {}; reconnecting in {} ms", source.name, e.message(), decision.delay.count());
        auto until = Clock::now() + decision.delay;
        while (!st.capture_stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (st.capture_stop) break;
      }
    }
  } catch (const Error& e) {
    st.Failed(e);
  } catch (const std::exception& e) {
    st.Failed(Error(ErrorKind::kInternal, e.what()));
  }
  st.running--;
  std::lock_guard lock(st.mu);
  st.wake.notify_all();
}

void Pipeline::CatchUp(bool final_pass) {
  auto& st = *state_;
  if (!WarehouseReady()) return;
  try {
    for (const auto& s : config_.sources) {
      st.loader->CatchUp(s);
      st.loader->SyncHeldTables(s, final_pass);
      st.upkeep->AfterCatchUp(s.name, st.warehouse->AppliedSeq(s.name), final_pass);
    }
    AfterLoad(final_pass);
  } catch (const Error& e) {
    auto decision = RetryPolicy(options_.once).Decide(Part::kWarehouse, e.kind(), 1);
    if (!decision.retry) throw;
    spdlog::warn("warehouse connection lost: {}; capture keeps staging, retrying in {} s", e.message(),
                 decision.delay.count() / 1000.0);
    st.warehouse_down = e.message();
    st.next_open_try = Clock::now() + decision.delay;
    st.CloseWarehouse();
  }
}

// After batches: models, the read replica, the status report.
void Pipeline::AfterLoad(bool final_pass) {
  auto& st = *state_;
  uint64_t applied = 0;
  for (const auto& s : config_.sources) applied += st.warehouse->AppliedSeq(s.name);
  bool built = false;
  if (options_.stages != Stages::kCaptureOnly)
    built = st.models.AfterCatchUp(*st.warehouse, *store_, applied, options_.once && final_pass);
  if (st.replica) st.replica->AfterLoad(*st.warehouse, applied, built, final_pass);
  if (Clock::now() >= st.next_report || final_pass) RefreshReport(st.warehouse.get(), st.warehouse_down);
}

void Pipeline::RefreshReport(load::Warehouse* warehouse, const std::string& note) {
  auto& st = *state_;
  board_.Report(BuildStatusReport(config_, *store_, warehouse, note, &st.row_counter));
  st.next_report = Clock::now() + options_.report_every;
}

nlohmann::json Pipeline::Status() {
  // Fresh facts when the loader is between batches (a CLI asking right after
  // a change sees it); the last report when it is busy with a long one.
  try {
    tasks_.RunWithin([&](LoaderContext& ctx) { RefreshReport(ctx.warehouse, ctx.unavailable); },
                     std::chrono::milliseconds(1000));
  } catch (const Error&) {
    // Stopping: the last report stands.
  }
  return board_.Status();
}

void Pipeline::ServeTasks() {
  auto& st = *state_;
  LoaderContext context;
  context.models = &st.models;
  if (WarehouseReady()) context.warehouse = st.warehouse.get();
  else context.unavailable = options_.stages == Stages::kCaptureOnly ? "this process only captures" : st.warehouse_down;
  tasks_.Serve(context);
}

void Pipeline::LoaderLoop(const std::atomic<bool>& stop) {
  auto& st = *state_;
  const bool load_only = options_.stages == Stages::kLoadOnly;
  for (;;) {
    if (std::any_of(st.leases.begin(), st.leases.end(), [](const auto& l) { return l->Lost(); })) {
      Fail(ErrorKind::kBusy,
           "another process took over this process's staging lease (it was not renewed in time); "
           "stopping without writing more. Check that process, then restart this one if it should run");
    }
    if (stop || st.abort) st.capture_stop = true;
    // Captures in this process wake the loader per batch; alone, it polls
    // every staging.poll_interval (a start-after listing: one small request)
    // unless a notification wakes it. A signal only sets `stop`, so the wait
    // is sliced to notice it.
    auto next_poll = Clock::now() + (load_only ? config_.staging.poll_interval : std::chrono::milliseconds(200));
    {
      std::unique_lock lock(st.mu);
      while (!st.pending && !st.capture_stop && !stop && (load_only || st.running > 0)) {
        auto now = Clock::now();
        if (now >= next_poll) break;
        st.wake.wait_for(lock, std::min<Clock::duration>(next_poll - now, std::chrono::milliseconds(200)));
      }
      st.pending = false;
    }
    bool last = load_only ? (options_.once || stop) : st.running == 0;
    if (!st.abort) CatchUp(last);
    ServeTasks();
    if (load_only && (options_.once || stop)) return;
    if (!load_only && st.running == 0) {
      if (!st.abort) CatchUp(true);  // whatever the last batches were
      return;
    }
    if (options_.stages == Stages::kCaptureOnly && Clock::now() >= st.next_report)
      RefreshReport(nullptr, "this process only captures");
  }
}

int Pipeline::Run(const std::atomic<bool>& stop) {
  auto& st = *state_;
  // When this process both captures and loads, the first full load's rows go
  // from copy worker to loader in memory too (staging::FreshCache), the
  // staged files still written as the record. A batch's COPY text is about
  // half its JSON lines (full_load.batch_bytes): the budget, texts being
  // written included, holds one per worker and one more waiting.
  if (options_.stages == Stages::kAll) {
    st.fresh_cache = std::make_unique<staging::FreshCache>(config_.full_load.batch_bytes * (CopyWorkers(config_) + 1) / 2);
    // A fresh file's first row wakes the loader, which may apply its batch as
    // it is written (Loader::ApplyAhead); a loader waiting on such a file
    // stops waiting when wharf stops or a capture failed.
    st.fresh_cache->SetHooks([this] { Wake(); }, [&stop, &st] { return stop || st.abort; });
  }
  st.upkeep = std::make_unique<load::StagingUpkeep>(*store_, config_.staging.retention);
  if (!config_.target.read_replica.empty() && options_.stages != Stages::kCaptureOnly)
    st.replica = std::make_unique<ReadReplica>(config_);
  try {
    WarehouseReady();
    CheckStart();
    StartCaptures();
    if (options_.stages != Stages::kLoadOnly) st.progress.emplace(config_, *store_);
    if (!options_.once) {
      st.monitor = std::make_unique<SourceMonitor>(
          config_, board_, options_.sample_every, [this](const std::string& source, const std::string& why) {
            {
              std::lock_guard lock(state_->mu);
              state_->drop_slots.push_back(source);
            }
            state_->Failed(Error(ErrorKind::kSource, why));
          });
    }
    if (!options_.once && config_.validate.every && options_.stages != Stages::kCaptureOnly)
      st.validator = std::thread([this, every = *config_.validate.every] { ValidateEvery(every); });
    LoaderLoop(stop);
  } catch (const Error& e) {
    st.Failed(e);
  } catch (const std::exception& e) {
    // Anything else must still stop and join the capture threads (a joinable
    // thread destroyed while unwinding would abort without a word).
    st.Failed(Error(ErrorKind::kInternal, e.what()));
  }
  return Finish();
}

validate::Report Pipeline::Validate(validate::Options options) {
  auto& st = *state_;
  std::shared_lock keep(st.warehouse_use);
  if (config_.target.type == "duckdb") {
    std::string unavailable;
    tasks_.Run([&](LoaderContext& ctx) {
      if (auto embedded = ctx.warehouse ? ctx.warehouse->EmbeddedDatabase() : std::nullopt)
        options.shared_duckdb = embedded->database;
      else
        unavailable = ctx.unavailable;
    });
    if (!options.shared_duckdb)
      Fail(ErrorKind::kWarehouse, "the warehouse is not available to this wharf run: {}", unavailable);
  }
  auto report = validate::Validate(config_, options);
  auto j = validate::ToJson(report);
  board_.Validated(j);
  return report;
}

// validate.every: a thread of its own, since a validation takes a while and
// waits for the loader to catch up with the snapshots it read.
void Pipeline::ValidateEvery(std::chrono::milliseconds every) {
  auto& st = *state_;
  for (;;) {
    {
      std::unique_lock lock(st.mu);
      if (st.wake.wait_for(lock, every, [&] { return st.validator_stop; })) return;
    }
    // Tables still being copied would only show as differences.
    auto status = board_.Status();
    bool copied = true;
    for (const auto& src : status["sources"]) copied &= src.value("full_load", "") == "complete";
    if (!copied) {
      spdlog::info("validate: the first full load is not complete yet; validating in {} s", every.count() / 1000);
      continue;
    }
    try {
      auto report = Validate(validate::Options::FromEnvironment());
      uint64_t differences = 0;
      for (const auto& t : report.tables) differences += t.Differences();
      if (report.Equal()) spdlog::info("validate: {} table(s) equal to the source", report.tables.size());
      else spdlog::warn("validate: {} difference(s) between the warehouse and the source; see `wharf status` "
                        "or run `wharf validate` for the keys", differences);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kBusy) spdlog::warn("validate: {}; trying again in {} s", e.message(), every.count() / 1000);
    } catch (const std::exception& e) {
      spdlog::warn("validate: {}", e.what());
    }
  }
}

int Pipeline::Finish() {
  auto& st = *state_;
  {
    std::lock_guard lock(st.mu);
    st.validator_stop = true;
    st.wake.notify_all();
  }
  st.capture_stop = true;
  tasks_.Close("wharf run is stopping; run the command again once it has stopped");
  if (st.validator.joinable()) st.validator.join();
  for (auto& t : st.threads) t.join();
  st.threads.clear();
  st.monitor.reset();
  st.progress.reset();
  for (const auto& name : st.drop_slots) {
    for (const auto& s : config_.sources) {
      if (s.name != name) continue;
      try {
        DropSlot(s, std::chrono::seconds(30));
        spdlog::error("slot guard: dropped slot {} of source {}", s.slot, s.name);
      } catch (const Error& e) {
        spdlog::error("slot guard: {}", e.message());
      }
    }
  }
  if (st.failure) {
    spdlog::error("{}", st.failure->Describe());
    return RetryPolicy::ExitCode(st.failure->kind());
  }
  return 0;
}

}  // namespace wharf::pipeline
