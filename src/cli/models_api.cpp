#include "cli/models_api.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace wharf::cli {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string ModelsArgsToJson(const ModelsArgs& a) {
  // Paths are made absolute: the server runs in another directory.
  auto path = [](const std::optional<std::string>& p) -> json {
    return p ? json(fs::absolute(*p).string()) : json(nullptr);
  };
  return json{{"command", a.command},         {"project_dir", path(a.project_dir)},
              {"profiles_dir", path(a.profiles_dir)}, {"target", a.target ? json(*a.target) : json(nullptr)},
              {"select", a.select},           {"exclude", a.exclude},
              {"resource_types", a.resource_types}, {"vars", a.vars},
              {"output", a.output},           {"limit", a.limit},
              {"inline", a.inline_sql},       {"full_refresh", a.full_refresh},
              {"fail_fast", a.fail_fast},      {"store_failures", a.store_failures}}
      .dump();
}

ModelsArgs ModelsArgsFromJson(const std::string& body) {
  ModelsArgs a;
  try {
    auto j = json::parse(body);
    a.command = j.at("command").get<std::string>();
    auto opt = [&](const char* key, std::optional<std::string>& out) {
      if (j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
    };
    opt("project_dir", a.project_dir);
    opt("profiles_dir", a.profiles_dir);
    opt("target", a.target);
    a.select = j.value("select", std::vector<std::string>{});
    a.exclude = j.value("exclude", std::vector<std::string>{});
    a.resource_types = j.value("resource_types", std::vector<std::string>{});
    a.vars = j.value("vars", std::string());
    a.output = j.value("output", std::string("selector"));
    a.limit = j.value("limit", 5);
    a.inline_sql = j.value("inline", std::string());
    a.full_refresh = j.value("full_refresh", false);
    a.fail_fast = j.value("fail_fast", false);
    a.store_failures = j.value("store_failures", false);
  } catch (const json::exception& e) {
    Fail(ErrorKind::kConfig, "a models request that is not valid JSON: {}", e.what());
  }
  static const std::set<std::string> kCommands{"run", "test", "seed", "snapshot", "build", "compile", "ls", "show"};
  if (!kCommands.count(a.command)) Fail(ErrorKind::kConfig, "unknown models command '{}'", a.command);
  return a;
}

server::Reply ModelRequests::Submit(const std::string& body) {
  auto request = std::make_shared<Request>();
  try {
    request->args = ModelsArgsFromJson(body);
  } catch (const Error& e) {
    return {400, json{{"error", e.message()}}.dump()};
  }
  std::unique_lock lock(mu_);
  if (!closed_.empty()) return {503, json{{"error", closed_}}.dump()};
  queue_.push_back(request);
  lock.unlock();
  wake_();
  lock.lock();
  done_.wait(lock, [&] { return request->done; });
  return {200, json{{"exit_code", request->exit_code}, {"output", request->output}}.dump()};
}

void ModelRequests::Serve(const Runner& run) {
  for (;;) {
    std::shared_ptr<Request> next;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      next = queue_.front();
      queue_.pop_front();
    }
    std::string output;
    int code = 2;
    try {
      code = run(next->args, output);
    } catch (const std::exception& e) {
      output += std::string("error: ") + e.what() + "\n";
    }
    std::lock_guard lock(mu_);
    next->output = std::move(output);
    next->exit_code = code;
    next->done = true;
    done_.notify_all();
  }
}

void ModelRequests::Close(const std::string& why) {
  std::lock_guard lock(mu_);
  closed_ = why;
  for (auto& r : queue_) {
    r->output = "error: " + why + "\n";
    r->exit_code = 2;
    r->done = true;
  }
  queue_.clear();
  done_.notify_all();
}

std::optional<int> ModelsThroughRunningWharf(const ModelsArgs& args, const std::string& listen) {
  if (listen == "off") return std::nullopt;
  server::ListenAddress address = server::ParseListen(listen);
  std::string host = address.host.empty() || address.host == "0.0.0.0" ? "127.0.0.1" : address.host;
  httplib::Client client(host, address.port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::hours(6));  // a long build is still an answer
  auto res = client.Post("/api/models", ModelsArgsToJson(args), "application/json");
  if (!res) return std::nullopt;  // nothing listens: no wharf run
  if (res->status == 404) return std::nullopt;  // something else listens there
  json reply;
  try {
    reply = json::parse(res->body);
  } catch (const json::exception&) {
    Fail(ErrorKind::kConfig, "the process at {} answered /api/models with something that is not wharf's reply", listen);
  }
  if (res->status != 200) Fail(ErrorKind::kConfig, "the running wharf refused the request: {}", reply.value("error", res->body));
  std::cerr << "(through the running wharf at " << host << ":" << address.port << ")\n";
  std::cout << reply.value("output", std::string());
  return reply.value("exit_code", 2);
}

}  // namespace wharf::cli
