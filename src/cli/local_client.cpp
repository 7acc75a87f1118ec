#include "cli/local_client.hpp"

#include <httplib.h>

#include <iostream>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"
#include "server/http_server.hpp"

namespace wharf::cli {

using json = nlohmann::json;

namespace {

std::optional<json> Call(const core::Config& config, const std::string& path, const std::string* body) {
  if (config.server.listen == "off") return std::nullopt;
  server::ListenAddress address = server::ParseListen(config.server.listen);
  std::string host = address.host.empty() || address.host == "0.0.0.0" ? "127.0.0.1"
                     : address.host == "::" ? "::1" : address.host;
  httplib::Client client(host, address.port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::hours(6));  // a long build or validation is still an answer
  httplib::Headers headers;
  if (!config.server.token.empty()) headers.emplace("Authorization", "Bearer " + config.server.token);
  headers.emplace("X-Wharf-Pipeline", pipeline::PipelineId(config));
  auto res = body ? client.Post(path, headers, *body, "application/json") : client.Get(path, headers);
  if (!res) return std::nullopt;                // nothing listens: no wharf run
  // Something else listens there, or a wharf run of another wharf.yaml.
  if (res->status == 404 || res->status == 409) return std::nullopt;
  json reply;
  try {
    reply = json::parse(res->body);
  } catch (const json::exception&) {
    Fail(ErrorKind::kConfig, "the process at {} answered {} with something that is not wharf's reply; is "
         "server.listen another program's port?", config.server.listen, path);
  }
  if (res->status == 401) {
    Fail(ErrorKind::kConfig, "the running wharf at {} requires server.token; set the same token in this "
         "wharf.yaml (e.g. token: ${{WHARF_TOKEN}})", config.server.listen);
  }
  if (res->status != 200) {
    Fail(ErrorKind::kConfig, "the running wharf refused the request: {}", reply.value("error", res->body));
  }
  std::cerr << "(through the running wharf at " << host << ":" << address.port << ")\n";
  return reply;
}

}  // namespace

std::optional<json> CallRunningWharf(const core::Config& config, const std::string& path, const std::string& body) {
  return Call(config, path, &body);
}

std::optional<json> GetFromRunningWharf(const core::Config& config, const std::string& path) {
  return Call(config, path, nullptr);
}

}  // namespace wharf::cli
