#pragma once
// `wharf run` as a library: the sources' capture threads, the loader (the
// thread that calls Run), models after loads, the source monitor and the
// wake-ups between them, with one retry policy by error kind. The CLI, the
// HTTP server and tests drive it through this interface and read its state
// from board().
//
// Threads: one capture per source (staging batches), the loader (applying
// them, then models, then tasks posted through tasks()), the monitor
// (sampling the sources). A capture failure that cannot heal stops the
// pipeline; the loader rides out an unavailable warehouse while capture keeps
// staging (up to staging.max_pending_bytes); --once fails at once instead.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "pipeline/board.hpp"
#include "pipeline/loader_tasks.hpp"
#include "pipeline/status_report.hpp"
#include "staging/object_store.hpp"
#include "validate/options.hpp"
#include "validate/result.hpp"

namespace wharf::pipeline {

enum class Stages { kAll, kCaptureOnly, kLoadOnly };

struct Options {
  bool once = false;
  Stages stages = Stages::kAll;
  // How often the monitor samples the sources (lag, retained WAL).
  std::chrono::milliseconds sample_every{2000};
  // The loader refreshes board()'s status report at most this often.
  std::chrono::milliseconds report_every{2000};
};

// Names the pipeline a wharf.yaml describes (its staging store and
// warehouse), so the local API answers only the CLI of the same pipeline.
std::string PipelineId(const core::Config& config);

class Pipeline {
 public:
  // Opens the staging store and takes its leases: a second process on the
  // same sources stops here with kBusy, having changed nothing.
  Pipeline(const core::Config& config, Options options);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs on the calling thread (the loader) until `stop` is set or, with
  // once, until every source is caught up and loaded. Returns the exit code.
  int Run(const std::atomic<bool>& stop);

  Board& board() { return board_; }
  // board().Status() after a fresh status report from the loader thread
  // (unless it is busy with a long batch for more than a second).
  nlohmann::json Status();
  // Work for the loader thread (the local API).
  LoaderTasks& tasks() { return tasks_; }
  staging::ObjectStore& store() { return *store_; }
  // Something for the loader to do (a batch landed, an upload notification).
  void Wake();
  // Validates the warehouse against the sources while loading goes on: on
  // the calling thread, with connections of its own (DuckDB: on the
  // database this process holds open). The result goes to board() too.
  // Throws kWarehouse when the warehouse is unavailable.
  validate::Report Validate(validate::Options options);
  const core::Config& config() const { return config_; }

 private:
  struct State;
  const core::Config& config_;
  Options options_;
  std::unique_ptr<staging::ObjectStore> store_;
  Board board_;
  LoaderTasks tasks_;
  std::unique_ptr<State> state_;

  void TakeLeases();
  void CheckStart();
  void StartCaptures();
  void CaptureThread(size_t index);
  bool WarehouseReady();
  void CatchUp(bool final_pass);
  void LoaderLoop(const std::atomic<bool>& stop);
  void AfterLoad(bool final_pass);
  void ServeTasks();
  void RefreshReport(load::Warehouse* warehouse, const std::string& note);
  void ValidateEvery(std::chrono::milliseconds every);
  int Finish();
};

}  // namespace wharf::pipeline
