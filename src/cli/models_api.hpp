#pragma once
// `wharf models ...` through a running `wharf run` (the local API): a DuckDB
// file has one writer process, so while `wharf run` holds the warehouse, a
// models command from another shell is posted to its HTTP server
// (POST /api/models) and run by its loader thread between two batches.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/models_cmd.hpp"
#include "server/http_server.hpp"

namespace wharf::cli {

std::string ModelsArgsToJson(const ModelsArgs& args);
ModelsArgs ModelsArgsFromJson(const std::string& body);

// The server side: requests queue here and run on the thread that calls Serve.
class ModelRequests {
 public:
  using Runner = std::function<int(const ModelsArgs& args, std::string& output)>;
  // `wake` nudges the thread that calls Serve.
  explicit ModelRequests(std::function<void()> wake) : wake_(std::move(wake)) {}
  // From an HTTP thread: waits until the request ran (or the process stops).
  server::Reply Submit(const std::string& body);
  // From the loader's thread, between batches: runs every queued request.
  void Serve(const Runner& run);
  // Answers what is still queued (the process is stopping) and refuses more.
  void Close(const std::string& why);

 private:
  struct Request {
    ModelsArgs args;
    std::string output;
    int exit_code = 0;
    bool done = false;
  };
  std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable done_;
  std::deque<std::shared_ptr<Request>> queue_;
  std::string closed_;  // non-empty: why no request runs any more
};

// The client side: posts the command to the wharf run serving `listen`.
// Returns nullopt when nothing answers there (no wharf run: run locally).
std::optional<int> ModelsThroughRunningWharf(const ModelsArgs& args, const std::string& listen);

}  // namespace wharf::cli
