#include "server/routes.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "pipeline/models_after_load.hpp"
#include "pipeline/models_request.hpp"
#include "server/dashboard_page.hpp"
#include "server/metrics_page.hpp"
#include "server/prometheus.hpp"
#include "server/s3_notify.hpp"
#include "validate/result.hpp"

namespace wharf::server {

using json = nlohmann::json;

namespace {

// POST /notify/s3: wakes the loader for objects created under this store's prefix.
Reply OnS3Notification(const std::string& body, pipeline::Pipeline& pipeline) {
  std::vector<ObjectEvent> events;
  try {
    events = ParseS3Events(body);
  } catch (const Error& e) {
    spdlog::warn("server: rejected a notification: {}", e.message());
    return {400, json{{"error", e.message()}}.dump()};
  }
  size_t relevant = 0;
  if (auto bucket = pipeline.store().Bucket()) {
    for (const auto& e : events)
      if (WakesLoader(e, bucket->bucket, bucket->prefix)) ++relevant;
  }
  spdlog::debug("server: notification with {} event(s), {} for this staging store", events.size(), relevant);
  if (relevant) pipeline.Wake();
  return {200, json{{"events", events.size()}, {"relevant", relevant}}.dump()};
}

// POST /api/models: the command runs on the loader's thread, between batches
// (the DuckDB file has one writer: this process).
Reply OnModels(const std::string& body, pipeline::Pipeline& pipeline) {
  pipeline::ModelsArgs args;
  try {
    args = pipeline::ModelsArgsFromJson(body);
  } catch (const Error& e) {
    return {400, json{{"error", e.message()}}.dump()};
  }
  std::string output;
  int code = 2;
  try {
    pipeline.tasks().Run([&](pipeline::LoaderContext& ctx) {
      if (!ctx.warehouse) {
        output = "error: the warehouse is not available to this wharf run: " + ctx.unavailable + "\n";
        return;
      }
      code = ctx.models->RunRequest(*ctx.warehouse, args, output);
    });
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kBusy) return {503, json{{"error", e.message()}}.dump()};
    output += "error: " + e.Describe() + "\n";
  } catch (const std::exception& e) {
    output += std::string("error: ") + e.what() + "\n";
  }
  return {200, json{{"exit_code", code}, {"output", output}}.dump()};
}

// POST /api/validate {"table": "schema.table" | null}: runs on this HTTP
// thread while loading goes on; answers the report and validate's exit code.
Reply OnValidate(const std::string& body, pipeline::Pipeline& pipeline) {
  validate::Options options = validate::Options::FromEnvironment();
  try {
    auto j = body.empty() ? json::object() : json::parse(body);
    if (j.contains("table") && j["table"].is_string()) options.only_table = j["table"].get<std::string>();
  } catch (const json::exception& e) {
    return {400, json{{"error", std::string("a validate request that is not valid JSON: ") + e.what()}}.dump()};
  }
  try {
    auto report = pipeline.Validate(options);
    auto out = validate::ToJson(report);
    out["exit_code"] = report.Equal() ? 0 : 1;
    return {200, out.dump()};
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kBusy) return {503, json{{"error", e.message()}}.dump()};
    return {200, json{{"exit_code", 2}, {"error", e.Describe()}}.dump()};
  }
}

}  // namespace

void InstallRoutes(HttpServer& http, pipeline::Pipeline& pipeline, const core::Config& config) {
  http.Guard(config.server.token, pipeline::PipelineId(config));
  http.Get("/", [](const auto&) { return Reply{200, std::string(DashboardHtml()), "text/html; charset=utf-8"}; });
  http.Get("/status", [&](const auto&) { return Reply{200, pipeline.Status().dump()}; });
  http.Get("/metrics", [&](const auto&) {
    return Reply{200, MetricsPage(pipeline.Status()), std::string(kMetricsContentType)};
  });
  http.Get("/healthz", [&](const auto&) {
    auto status = pipeline.Status();
    bool ok = status.value("healthy", false);
    return Reply{ok ? 200 : 503, json{{"healthy", ok}, {"problems", status["problems"]}}.dump()};
  });
  http.Post("/api/models", [&](const std::string& body) { return OnModels(body, pipeline); });
  http.Post("/api/validate", [&](const std::string& body) { return OnValidate(body, pipeline); });
  http.Post("/notify/s3", [&](const std::string& body) { return OnS3Notification(body, pipeline); });
}

}  // namespace wharf::server
