#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/sd_notify.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/retry_policy.hpp"
#include "server/http_server.hpp"
#include "server/routes.hpp"

namespace wharf::cli {

std::atomic<bool>& StopFlag() {
  static std::atomic<bool> stop{false};
  return stop;
}

namespace {
void OnSignal(int) { StopFlag() = true; }

// systemd (Type=notify): READY once running, WATCHDOG pings while the
// process is alive, STOPPING on the way out. Without NOTIFY_SOCKET, nothing.
class SystemdNotifier {
 public:
  SystemdNotifier() {
    core::SdNotify("READY=1\nSTATUS=wharf is running");
    auto interval = core::WatchdogInterval();
    if (!interval) return;
    thread_ = std::thread([this, every = *interval / 2] {
      std::unique_lock lock(mu_);
      while (!stop_) {
        core::SdNotify("WATCHDOG=1");
        cv_.wait_for(lock, every);
      }
    });
  }
  ~SystemdNotifier() {
    core::SdNotify("STOPPING=1");
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int RunPipeline(const core::Config& config, bool once, pipeline::Stages stages) {
  pipeline::Options options;
  options.once = once;
  options.stages = stages;
  std::optional<pipeline::Pipeline> maybe;
  try {
    maybe.emplace(config, options);  // opens the staging store, takes its leases
  } catch (const Error& e) {
    // An unreachable store exits 1 (a restart may help), a busy lease 2.
    spdlog::error("{}", e.Describe());
    return pipeline::RetryPolicy::ExitCode(e.kind());
  }
  auto& pipeline = *maybe;

  // The dashboard, /status, /metrics, the local API (`wharf models`,
  // `status` and `validate` from another shell reach this process, which
  // holds the DuckDB file) and upload notifications. A batch job (--once)
  // ends when caught up and needs none of them; a capture-only process has
  // no warehouse to serve. A port already in use costs only these, so it is
  // logged, not fatal.
  std::unique_ptr<server::HttpServer> http;
  if (stages != pipeline::Stages::kCaptureOnly && !once && config.server.listen != "off") {
    http = std::make_unique<server::HttpServer>(server::ParseListen(config.server.listen));
    server::InstallRoutes(*http, pipeline, config);
    try {
      http->Start();
    } catch (const Error& e) {
      spdlog::error("{}; the dashboard, /status, /metrics and upload notifications are off (the loader looks "
                    "for new batches every {} ms)",
                    e.message(), stages == pipeline::Stages::kLoadOnly ? config.staging.poll_interval.count() : 200);
      http.reset();
    }
  }
  SystemdNotifier systemd;
  int code = pipeline.Run(StopFlag());
  if (code == 0) spdlog::info("wharf: {}", StopFlag() ? "stopped cleanly" : "done");
  return code;
}

}  // namespace wharf::cli
