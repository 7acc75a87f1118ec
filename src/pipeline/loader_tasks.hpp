#pragma once
// Work that must run on the loader's thread, between two batches: the
// loader owns the warehouse connection, and a DuckDB file has one writer
// process. `wharf models` from another shell and the status refresh of a
// running `wharf run` come here (the local API); the submitter waits.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "load/warehouse.hpp"

namespace wharf::pipeline {

class ModelsAfterLoad;

// What a task may use; only valid during the task.
struct LoaderContext {
  load::Warehouse* warehouse = nullptr;  // null while the warehouse is unavailable
  std::string unavailable;               // why, when it is
  ModelsAfterLoad* models = nullptr;
};

class LoaderTasks {
 public:
  using Task = std::function<void(LoaderContext&)>;
  // `wake` nudges the loader thread out of its wait.
  explicit LoaderTasks(std::function<void()> wake) : wake_(std::move(wake)) {}

  // From any thread: runs `task` on the loader thread and waits for it,
  // rethrowing what it threw. Throws Error(kBusy) once the pipeline stops.
  void Run(Task task);
  // The same, unless the loader does not take it up within `wait` (it is in
  // the middle of a long batch): then it is withdrawn and false returned.
  bool RunWithin(Task task, std::chrono::milliseconds wait);
  // From the loader thread: runs every queued task.
  void Serve(LoaderContext& context);
  // Refuses new tasks and fails the queued ones with `why` (the process is stopping).
  void Close(const std::string& why);

 private:
  struct Pending {
    Task task;
    std::exception_ptr error;
    bool started = false;
    bool done = false;
  };
  // Queues `task` and waits for it; with `wait`, withdraws it (false) if the
  // loader has not taken it up by then.
  bool Submit(Task task, std::optional<std::chrono::milliseconds> wait);

  std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable done_;
  std::deque<std::shared_ptr<Pending>> queue_;
  std::string closed_;
};

}  // namespace wharf::pipeline
