#pragma once
// wharf's HTTP endpoint (server.listen): a small wrapper over cpp-httplib
// running its own threads. Today it takes S3 upload notifications; status,
// metrics and the dashboard will be routes on the same server.
#include <functional>
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

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class HttpServer {
 public:
  using Handler = std::function<Reply(const std::string& body)>;

  explicit HttpServer(ListenAddress address);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void Post(const std::string& path, Handler handler);
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
