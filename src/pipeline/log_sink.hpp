#pragma once
// Warnings and errors of a running pipeline, kept for the dashboard's
// "recent errors" and counted for /metrics: a spdlog sink on the default
// logger, attached while the pipeline lives (before its threads start and
// after they are joined, since spdlog's sink list is not thread-safe to change).
#include <memory>

#include <spdlog/sinks/base_sink.h>

#include "pipeline/board.hpp"

namespace wharf::pipeline {

class BoardLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BoardLogSink(Board& board) : board_(board) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  Board& board_;
};

// Attaches a BoardLogSink to the default logger for its lifetime.
class BoardLogging {
 public:
  explicit BoardLogging(Board& board);
  ~BoardLogging();
  BoardLogging(const BoardLogging&) = delete;
  BoardLogging& operator=(const BoardLogging&) = delete;

 private:
  std::shared_ptr<BoardLogSink> sink_;
};

}  // namespace wharf::pipeline
