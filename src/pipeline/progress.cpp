#include "pipeline/progress.hpp"
#include "core/clock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>

namespace wharf::pipeline {

namespace {
std::string Human(double v) {
  if (v >= 1e9) return fmt::format("{:.1f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}
}  // namespace

std::string FormatDuration(double s) {
  if (s < 0) return "-";
  auto n = static_cast<uint64_t>(s);
  if (n >= 3600) return fmt::format("{}h{:02}m", n / 3600, n % 3600 / 60);
  if (n >= 60) return fmt::format("{}m{:02}s", n / 60, n % 60);
  return fmt::format("{}s", n);
}

std::string ProgressLine(const std::string& name, uint64_t rows, uint64_t estimated, uint64_t bytes,
                         double seconds, bool bar) {
  double rate = seconds > 0 ? rows / seconds : 0;
  double fraction = estimated ? std::min(1.0, static_cast<double>(rows) / estimated) : 0;
  double eta = rate > 0 && estimated > rows ? (estimated - rows) / rate : -1;
  std::string out = fmt::format("{:<32.32} ", name);
  if (bar) {
    int width = 24, filled = static_cast<int>(fraction * width);
    out += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
  }
  out += fmt::format("{:>3.0f}%  {} rows  {}B  {} rows/s  eta {}", fraction * 100, Human(rows),
                     Human(static_cast<double>(bytes)), Human(rate), FormatDuration(eta));
  return out;
}

ProgressReporter::ProgressReporter(const core::Config& config, staging::ObjectStore& store)
    : config_(config), store_(store), tty_(::isatty(2)), thread_([this] { Run(); }) {}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressReporter::Run() {
  auto last_plain = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; })) break;
    }
    std::vector<std::pair<std::string, staging::TableSync>> copying;
    for (const auto& s : config_.sources) {
      try {
        auto state = staging::StateStore(store_, s.name).Load();
        if (!state) continue;
        for (const auto& t : state->tables)
          if (t.phase == staging::SyncPhase::kCopying) copying.emplace_back(s.name, t);
      } catch (const std::exception&) {
        // A state file being replaced is read again next second.
      }
    }
    if (tty_) {
      Render(copying);
    } else if (!copying.empty() &&
               std::chrono::steady_clock::now() - last_plain >= std::chrono::seconds(10)) {
      last_plain = std::chrono::steady_clock::now();
      for (const auto& [source, t] : copying) {
        double secs = t.started_at ? (core::NowMicros() - t.started_at) / 1e6 : 0;
        spdlog::info("full load {}: {}", source,
                     ProgressLine(t.table, t.rows_copied, t.estimated_rows, t.bytes_copied, secs, false));
      }
    }
  }
  if (tty_) Render({});
}

void ProgressReporter::Render(const std::vector<std::pair<std::string, staging::TableSync>>& copying) {
  std::string out;
  if (drawn_lines_) out += fmt::format("\x1b[{}A\x1b[J", drawn_lines_);  // up and clear
  drawn_lines_ = 0;
  uint64_t rows = 0, est = 0, bytes = 0;
  int64_t first_start = 0;
  for (const auto& [source, t] : copying) {
    double secs = t.started_at ? (core::NowMicros() - t.started_at) / 1e6 : 0;
    out += ProgressLine(t.table, t.rows_copied, t.estimated_rows, t.bytes_copied, secs, true) + "\n";
    rows += t.rows_copied;
    est += std::max(t.estimated_rows, t.rows_copied);
    bytes += t.bytes_copied;
    if (!first_start || (t.started_at && t.started_at < first_start)) first_start = t.started_at;
    ++drawn_lines_;
  }
  if (!copying.empty()) {
    double secs = first_start ? (core::NowMicros() - first_start) / 1e6 : 0;
    out += ProgressLine("total", rows, est, bytes, secs, true) + "\n";
    ++drawn_lines_;
  }
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace wharf::pipeline
