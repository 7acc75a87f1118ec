#pragma once
// wharf's HTTP endpoint (server.listen): a small wrapper over cpp-httplib
// running its own threads. server/routes.hpp puts the dashboard, /status,
// /metrics, the local API and S3 upload notifications on it.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace wharf::server {

struct ListenAddress {
  std::string host;
  int port = 0;  // 0: any free port (tests)
};
// "host:port" or ":port" (loopback) ; throws kConfig on anything else.
ListenAddress ParseListen(const std::string& listen);
// 127.0.0.0/8, ::1 or localhost: only this machine's users can connect.
bool IsLoopback(const std::string& host);

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class HttpServer {
 public:
  using Handler = std::function<Reply(const std::string& body)>;
  // GET: the query string's parameters.
  using GetHandler = std::function<Reply(const std::map<std::string, std::string>& params)>;

  explicit HttpServer(ListenAddress address);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void Post(const std::string& path, Handler handler);
  void Get(const std::string& path, GetHandler handler);
  // Checked before any route: with a non-empty `token`, every request but
  // the dashboard page (GET /, which holds no data) must carry
  // `Authorization: Bearer <token>`; others get 401. A request naming another
  // pipeline in header X-Wharf-Pipeline (a CLI run with another wharf.yaml
  // whose server.listen is the same port) gets 409.
  void Guard(std::string token, std::string pipeline_id);
  // Binds and starts serving; throws kConfig naming the address when it cannot bind.
  void Start();
  int port() const { return port_; }
  std::string Url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ListenAddress address_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace wharf::server
