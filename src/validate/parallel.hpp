#pragma once
// Runs tasks at the same time (each on a thread but the first, which runs on
// the caller's), waits for all, and rethrows the first error.
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace wharf::validate {

inline void RunTogether(const std::vector<std::function<void()>>& tasks) {
  std::vector<std::exception_ptr> errors(tasks.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < tasks.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        tasks[i]();
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  if (!tasks.empty()) {
    try {
      tasks[0]();
    } catch (...) {
      errors[0] = std::current_exception();
    }
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace wharf::validate
