#include "server/http_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/text.hpp"

namespace wharf::server {

ListenAddress ParseListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    Fail(ErrorKind::kConfig, "server.listen '{}' must be host:port (e.g. 127.0.0.1:9187)", listen);
  }
  ListenAddress a;
  a.host = listen.substr(0, colon);
  if (a.host.empty()) a.host = "127.0.0.1";
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  std::string port = listen.substr(colon + 1);
  auto p = core::ParsePort(port, 0);
  if (!p) Fail(ErrorKind::kConfig, "server.listen '{}': '{}' is not a port number (0-65535)", listen, port);
  a.port = *p;
  return a;
}

struct HttpServer::Impl {
  httplib::Server server;
};

HttpServer::HttpServer(ListenAddress address) : impl_(std::make_unique<Impl>()), address_(std::move(address)) {
  // Bodies are small JSON documents; a large one is a mistake or abuse.
  impl_->server.set_payload_max_length(1 << 20);
  // cpp-httplib's default adds SO_REUSEPORT, which lets a second wharf bind
  // the same port and silently take half the notifications. SO_REUSEADDR
  // alone still allows a quick restart over TIME_WAIT connections.
  impl_->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

HttpServer::~HttpServer() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

void HttpServer::Post(const std::string& path, Handler handler) {
  impl_->server.Post(path, [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    Reply r = handler(req.body);
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  });
}

void HttpServer::Start() {
  if (address_.port == 0) {
    port_ = impl_->server.bind_to_any_port(address_.host.c_str());
  } else {
    port_ = impl_->server.bind_to_port(address_.host.c_str(), address_.port) ? address_.port : -1;
  }
  if (port_ <= 0) {
    Fail(ErrorKind::kConfig, "cannot listen on {}:{} (server.listen): the port is in use or the address is "
         "not this machine's; pick another port in wharf.yaml (server: {{ listen: 127.0.0.1:PORT }})",
         address_.host, address_.port);
  }
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  spdlog::info("server: listening on {}", Url());
}

std::string HttpServer::Url() const {
  bool v6 = address_.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address_.host + "]" : address_.host) + ":" + std::to_string(port_);
}

}  // namespace wharf::server
