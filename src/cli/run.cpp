#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "capture/capture.hpp"
#include "capture/source_setup.hpp"
#include "cli/commands.hpp"
#include "cli/models_after_load.hpp"
#include "cli/models_api.hpp"
#include "cli/models_cmd.hpp"
#include "cli/progress.hpp"
#include "core/error.hpp"
#include "load/loader.hpp"
#include "server/http_server.hpp"
#include "server/s3_notify.hpp"
#include "load/staging_upkeep.hpp"
#include "staging/codec.hpp"
#include "staging/layout.hpp"
#include "staging/local_store.hpp"
#include "staging/s3/s3_store.hpp"

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
    for (const auto& t : capture::SelectTables(conn, s).tables) {
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
// POST /notify/s3: wakes the loader for objects created under this store's prefix.
server::Reply OnS3Notification(const std::string& body, const staging::ObjectStore& store,
                               const std::function<void()>& wake_loader) {
  std::vector<server::ObjectEvent> events;
  try {
    events = server::ParseS3Events(body);
  } catch (const Error& e) {
    spdlog::warn("server: rejected a notification: {}", e.message());
    return {400, nlohmann::json{{"error", e.message()}}.dump()};
  }
  size_t relevant = 0;
  if (auto* s3 = dynamic_cast<const staging::s3::S3Store*>(&store)) {
    for (const auto& e : events)
      if (server::WakesLoader(e, s3->location().bucket, s3->location().prefix)) ++relevant;
  }
  spdlog::debug("server: notification with {} event(s), {} for this staging store", events.size(), relevant);
  if (relevant) wake_loader();
  return {200, nlohmann::json{{"events", events.size()}, {"relevant", relevant}}.dump()};
}

// A target.tables entry that matches no table is a typo that would silently
// leave a table in the default mode.
void CheckModeRules(const core::Config& config) {
  if (config.target.table_modes.empty()) return;
  std::vector<load::ModeRules::Table> tables;
  for (const auto& s : config.sources) {
    auto conn = pg::Connection::Open(s.dsn, false, "wharf check " + s.name);
    for (const auto& t : capture::SelectTables(conn, s).tables)
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
  auto store = staging::OpenObjectStore(config.staging, config.base_dir);
  // Before any staged file is touched (capture's start-up recovery deletes
  // files no manifest names yet): a second process on the same source and
  // prefix stops here, naming the holder, having changed nothing.
  std::vector<std::unique_ptr<staging::Lease>> leases;
  for (const auto& s : config.sources) {
    for (auto role : {staging::LeaseRole::kCapture, staging::LeaseRole::kLoad}) {
      if (role == staging::LeaseRole::kCapture && stages == Stages::kLoadOnly) continue;
      if (role == staging::LeaseRole::kLoad && stages == Stages::kCaptureOnly) continue;
      try {
        leases.push_back(store->TakeLease(staging::LeasePath(s.name, role), staging::LeaseRecord::Mine(role)));
      } catch (Error& e) {
        throw e.AddContext("taking the " + std::string(staging::LeaseRoleName(role)) + " lease of source " +
                           s.name);
      }
    }
  }
  auto lease_lost = [&] {
    return std::any_of(leases.begin(), leases.end(), [](const auto& l) { return l->Lost(); });
  };
  // Half the cores by default: a copy worker and its PostgreSQL backend cost
  // about as much CPU per row as loading the row (bench/README.md), so more
  // copy workers than that only take cores from the loader. On 2 cores, in
  // one run: one worker 0.605 of COPY's rate, two 0.551.
  const size_t copy_workers = config.full_load.workers
                                  ? config.full_load.workers
                                  : std::clamp<size_t>(std::thread::hardware_concurrency() / 2, 1, 8);
  // When this process both captures and loads, the first full load's rows go
  // from copy worker to loader in memory too (staging::FreshCache), the
  // staged files still written as the record. A batch's COPY text is about
  // half its JSON lines (full_load.batch_bytes): the budget, texts being
  // written included, holds one per worker and one more waiting.
  std::unique_ptr<staging::FreshCache> fresh_cache;
  if (stages == Stages::kAll) {
    fresh_cache = std::make_unique<staging::FreshCache>(config.full_load.batch_bytes * (copy_workers + 1) / 2);
  }
  std::unique_ptr<load::Warehouse> warehouse;
  std::unique_ptr<load::Loader> loader;
  // An unavailable warehouse (another process holds the DuckDB file, the
  // server is down) is an outage to ride out, not a reason to stop capturing:
  // capture keeps staging, up to staging.max_pending_bytes, and the loader
  // retries every few seconds. --once (a batch job) fails at once instead.
  std::string warehouse_down;  // why the last attempt failed; empty: none failed
  auto last_open_try = std::chrono::steady_clock::time_point{};
  auto warehouse_ready = [&]() -> bool {
    if (stages == Stages::kCaptureOnly) return false;
    if (loader) return true;
    if (std::chrono::steady_clock::now() - last_open_try < std::chrono::seconds(5)) return false;
    last_open_try = std::chrono::steady_clock::now();
    try {
      warehouse = load::OpenWarehouse(config.target, config.base_dir);
      loader = std::make_unique<load::Loader>(*store, *warehouse, load::LoaderOptions::FromEnvironment(),
                                              load::ModeRules(config.target), fresh_cache.get());
      if (!warehouse_down.empty()) spdlog::info("warehouse available again: loading the staged batches");
      warehouse_down.clear();
      return true;
    } catch (const Error& e) {
      if (once || (e.kind() != ErrorKind::kWarehouse && e.kind() != ErrorKind::kConnection)) throw;
      if (warehouse_down.empty()) {
        spdlog::warn("warehouse unavailable: {}\n  capture keeps staging (up to "
                     "staging.max_pending_bytes, {} bytes); retrying every 5 s",
                     e.message(), config.staging.max_pending_bytes);
      }
      warehouse_down = e.message();
      loader.reset();
      warehouse.reset();
      return false;
    }
  };
  warehouse_ready();
  // A models.project that is not a dbt project is a typo to catch at start,
  // not a build error every models.every.
  if (stages != Stages::kCaptureOnly && !config.models.project.empty()) CheckModelsProject(config);
  if (stages != Stages::kLoadOnly) CheckTargetCollisions(config);
  if (stages != Stages::kLoadOnly) CheckModeRules(config);

  std::mutex mu;
  std::condition_variable wake;
  bool pending = true;
  // Something for the loader's loop to do: a batch staged, an upload
  // notification, a models request.
  auto wake_loader = [&] {
    std::lock_guard lock(mu);
    pending = true;
    wake.notify_all();
  };
  std::optional<Error> failure;
  std::atomic<size_t> running{0};
  std::atomic<bool> abort{false};
  if (fresh_cache) {
    // A fresh file's first row wakes the loader, which may apply its batch as
    // it is written (Loader::ApplyAhead); a loader waiting on such a file
    // stops waiting when wharf stops or a capture failed.
    fresh_cache->SetHooks(
        wake_loader,
        [&] { return StopFlag() || abort; });
  }
  // Captures stop on a signal or when another stage failed.
  std::atomic<bool> capture_stop{false};

  std::vector<std::unique_ptr<capture::Capture>> captures;
  std::vector<std::thread> threads;
  if (stages != Stages::kLoadOnly) {
    capture::CaptureOptions opts;
    opts.batch.compression = staging::ParseCompression(config.staging.compression);
    opts.batch.format = staging::ParseFormat(config.staging.format);
    opts.batch.fresh_cache = fresh_cache.get();
    opts.max_batch_bytes = config.staging.batch_max_bytes;
    opts.max_interval = config.staging.batch_max_interval;
    opts.once = once;
    opts.max_pending_bytes = config.staging.max_pending_bytes;
    opts.full_load_batch_bytes = config.full_load.batch_bytes;
    opts.copy_workers = copy_workers;
    auto* local = dynamic_cast<staging::LocalStore*>(store.get());
    for (const auto& s : config.sources) {
      // Streamed transactions spool next to a local staging directory; with a
      // remote store, in a temp folder named after the store, so captures of
      // two buckets or prefixes on one machine never share a spool.
      opts.spool_dir = local ? (local->root() / staging::EncodePathSegment(s.name) / "spool").string()
                             : (std::filesystem::temp_directory_path() /
                                ("wharf-spool-" + staging::Sha256Hex(store->Describe()).substr(0, 16)) /
                                staging::EncodePathSegment(s.name))
                                   .string();
      captures.push_back(std::make_unique<capture::Capture>(s, *store, opts, [&](const staging::Manifest&) { wake_loader(); }));
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

  // Upload notifications wake the loader the moment a batch lands (a capture
  // on another machine writing to the same bucket); polling stays the fallback.
  // A batch job (--once) ends when caught up and needs no endpoint. A port
  // already in use costs only the prompt wake-up, so it is logged, not fatal.
  // `wharf models` from another shell runs here, between batches (the DuckDB
  // file has one writer: this process).
  ModelRequests model_requests(wake_loader);
  std::unique_ptr<server::HttpServer> http;
  if (stages != Stages::kCaptureOnly && !once && config.server.listen != "off") {
    http = std::make_unique<server::HttpServer>(server::ParseListen(config.server.listen));
    http->Post("/notify/s3", [&](const std::string& body) {
      return OnS3Notification(body, *store, wake_loader);
    });
    // The models API runs SQL: only for this machine's users until the
    // server has bearer tokens (issue 9).
    auto address = server::ParseListen(config.server.listen);
    if (address.host == "127.0.0.1" || address.host == "localhost" || address.host == "::1" || address.host.empty()) {
      http->Post("/api/models", [&](const std::string& body) { return model_requests.Submit(body); });
    } else {
      spdlog::warn("server: {} is not a loopback address, so `wharf models` cannot go through this process "
                   "(the models API runs SQL and has no authentication yet); listen on 127.0.0.1 for it",
                   config.server.listen);
    }
    try {
      http->Start();
    } catch (const Error& e) {
      spdlog::error("{}; upload notifications are off, the loader looks for new batches every {} ms",
                    e.message(), stages == Stages::kLoadOnly ? config.staging.poll_interval.count() : 200);
      http.reset();
    }
  }
  load::StagingUpkeep upkeep(*store, config.staging.retention);
  ModelsAfterLoad models(config);
  auto serve_models = [&] {
    model_requests.Serve([&](const ModelsArgs& args, std::string& output) {
      if (!warehouse_ready()) {
        output = "error: the warehouse is not available to this wharf run: " + warehouse_down + "\n";
        return 2;
      }
      return models.RunRequest(*warehouse, args, output);
    });
  };
  auto catch_up = [&](bool final_pass) {
    if (!warehouse_ready()) return;
    try {
      uint64_t applied = 0;
      for (const auto& s : config.sources) {
        loader->CatchUp(s);
        loader->SyncHeldTables(s, final_pass);
        upkeep.AfterCatchUp(s.name, warehouse->AppliedSeq(s.name), final_pass);
        applied += warehouse->AppliedSeq(s.name);
      }
      if (stages != Stages::kCaptureOnly) models.AfterCatchUp(*warehouse, *store, applied, once && final_pass);
    } catch (const Error& e) {
      if (once || e.kind() != ErrorKind::kConnection) throw;
      spdlog::warn("warehouse connection lost: {}; capture keeps staging, retrying every 5 s",
                   e.message());
      warehouse_down = e.message();
      loader.reset();
      warehouse.reset();
    }
  };

  int code = 0;
  try {
    for (;;) {
      if (lease_lost()) {
        Fail(ErrorKind::kBusy,
             "another process took over this process's staging lease (it was not renewed in time); "
             "stopping without writing more. Check that process, then restart this one if it should run");
      }
      if (StopFlag() || abort) capture_stop = true;
      bool captures_done = running == 0;
      {
        std::unique_lock lock(mu);
        if (!pending && !captures_done && !capture_stop) {
          // Captures in this process wake the loader per batch; alone, it polls (start-after
          // listing, so a poll costs one small request) unless a notification wakes it.
          wake.wait_for(lock, stages == Stages::kLoadOnly ? config.staging.poll_interval
                                                          : std::chrono::milliseconds(200));
        }
        pending = false;
      }
      bool last = (stages == Stages::kLoadOnly && (once || StopFlag())) ||
                  (stages != Stages::kLoadOnly && running == 0);
      if (!abort) catch_up(last);
      serve_models();
      if (stages == Stages::kLoadOnly && (once || StopFlag())) break;
      if (stages != Stages::kLoadOnly && running == 0) {
        if (!abort) catch_up(true);  // whatever the last batches were
        break;
      }
    }
  } catch (const Error& e) {
    capture_stop = true;
    std::lock_guard lock(mu);
    if (!failure) failure = e;
  } catch (const std::exception& e) {
    // Anything else must still stop and join the capture threads (a joinable
    // thread destroyed while unwinding would abort without a word).
    capture_stop = true;
    std::lock_guard lock(mu);
    if (!failure) failure = Error(ErrorKind::kInternal, e.what());
  }
  capture_stop = true;
  model_requests.Close("wharf run is stopping; run the command again once it has stopped");
  for (auto& t : threads) t.join();
  if (failure) {
    spdlog::error("{}", failure->Describe());
    code = failure->kind() == ErrorKind::kConfig || failure->kind() == ErrorKind::kBusy ? 2 : 1;
  } else {
    spdlog::info("wharf: {}", StopFlag() ? "stopped cleanly" : "done");
  }
  return code;
}

}  // namespace wharf::cli
