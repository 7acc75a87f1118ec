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

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

namespace {
// Compares without an early exit, so response times do not reveal a prefix.
bool SameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}
}  // namespace

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

void HttpServer::Get(const std::string& path, GetHandler handler) {
  impl_->server.Get(path, [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, std::string> params;
    for (const auto& [k, v] : req.params) params[k] = v;
    Reply r = handler(params);
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  });
}

void HttpServer::Guard(std::string token, std::string pipeline_id) {
  impl_->server.set_pre_routing_handler([token = std::move(token), id = std::move(pipeline_id)](
                                            const httplib::Request& req, httplib::Response& res) {
    // The dashboard page itself holds no data (it fetches /status with the
    // token from its #token= fragment, which browsers never send to servers
    // or proxies' logs), so it loads without one.
    bool page = req.method == "GET" && req.path == "/";
    if (!token.empty() && !page) {
      std::string given;
      auto auth = req.get_header_value("Authorization");
      if (auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
      if (!SameSecret(given, token)) {
        res.status = 401;
        res.set_header("WWW-Authenticate", "Bearer");
        res.set_content(R"({"error":"this wharf requires a bearer token (server.token): send Authorization: Bearer <token>"})",
                        "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    auto asked = req.get_header_value("X-Wharf-Pipeline");
    if (!asked.empty() && asked != id) {
      res.status = 409;
      res.set_content(R"J({"error":"this port serves another wharf pipeline (another wharf.yaml)"})J",
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
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
