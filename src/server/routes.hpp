#pragma once
// The routes of a running `wharf run` (server.listen):
//   GET  /            the dashboard (server/dashboard.html)
//   GET  /status      the status document, JSON (pipeline::Board::Status)
//   GET  /metrics     the same facts in Prometheus text
//   GET  /healthz     200 when healthy, 503 with the problems otherwise
//   POST /api/models  `wharf models ...` from another shell, run between batches
//   POST /api/validate  `wharf validate` from another shell
//   POST /notify/s3   S3 upload notifications: wake the loader
// With server.token set, every route needs it (HttpServer::RequireToken).
#include "core/config.hpp"
#include "pipeline/pipeline.hpp"
#include "server/http_server.hpp"

namespace wharf::server {

void InstallRoutes(HttpServer& http, pipeline::Pipeline& pipeline, const core::Config& config);

}  // namespace wharf::server
