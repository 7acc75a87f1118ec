#include "pipeline/log_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/redact.hpp"

namespace wharf::pipeline {

void BoardLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (msg.level < spdlog::level::warn) return;
  auto level = spdlog::level::to_string_view(msg.level);
  board_.Logged(std::string(level.data(), level.size()),
                core::RedactSecrets(std::string_view(msg.payload.data(), msg.payload.size())));
}

BoardLogging::BoardLogging(Board& board) : sink_(std::make_shared<BoardLogSink>(board)) {
  sink_->set_level(spdlog::level::warn);
  spdlog::default_logger()->sinks().push_back(sink_);
}

BoardLogging::~BoardLogging() {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
}

}  // namespace wharf::pipeline
