#include "pipeline/loader_tasks.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace wharf::pipeline {

void LoaderTasks::Run(Task task) { Submit(std::move(task), std::nullopt); }

bool LoaderTasks::RunWithin(Task task, std::chrono::milliseconds wait) { return Submit(std::move(task), wait); }

bool LoaderTasks::Submit(Task task, std::optional<std::chrono::milliseconds> wait) {
  auto pending = std::make_shared<Pending>();
  pending->task = std::move(task);
  std::unique_lock lock(mu_);
  if (!closed_.empty()) throw Error(ErrorKind::kBusy, closed_);
  queue_.push_back(pending);
  lock.unlock();
  wake_();
  lock.lock();
  if (wait && !done_.wait_for(lock, *wait, [&] { return pending->started || pending->done; })) {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), pending), queue_.end());
    return false;
  }
  done_.wait(lock, [&] { return pending->done; });
  if (pending->error) std::rethrow_exception(pending->error);
  return true;
}

void LoaderTasks::Serve(LoaderContext& context) {
  for (;;) {
    std::shared_ptr<Pending> next;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      next = queue_.front();
      queue_.pop_front();
      next->started = true;
      done_.notify_all();
    }
    std::exception_ptr error;
    try {
      next->task(context);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mu_);
    next->error = error;
    next->done = true;
    done_.notify_all();
  }
}

void LoaderTasks::Close(const std::string& why) {
  std::lock_guard lock(mu_);
  closed_ = why;
  for (auto& p : queue_) {
    p->error = std::make_exception_ptr(Error(ErrorKind::kBusy, why));
    p->done = true;
  }
  queue_.clear();
  done_.notify_all();
}

}  // namespace wharf::pipeline
