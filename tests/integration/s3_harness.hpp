#pragma once
// A real S3-compatible server (s3rver, via tests/support/s3_server.js) and a
// fault-injecting proxy in front of it, started per test on free ports.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "integration/harness.hpp"
#include "staging/object_store.hpp"

namespace wharf::test {

// A Node.js script from tests/support run in the background; its output goes
// to a log file, from which the port it prints is read.
class NodeService {
 public:
  NodeService(const std::string& script, const std::vector<std::string>& args, const std::filesystem::path& log);
  int port() const { return port_; }
  std::string Output() const { return process_->Output(); }

 private:
  std::unique_ptr<Process> process_;  // killed on destruction
  int port_ = 0;
};

class S3Server {
 public:
  // A key pair the wrapper adds to s3rver's account; the secret is distinctive
  // so tests can assert it never appears in wharf's output.
  static constexpr const char* kAccessKey = "WHARFTESTKEY";
  static constexpr const char* kSecretKey = "wharf-secret-7Hq2pZ";

  // Buckets are created before the constructor returns. With `notify_url`,
  // each created object is POSTed there as an S3 event notification.
  S3Server(const std::filesystem::path& dir, const std::vector<std::string>& buckets,
           const std::string& notify_url = "");
  int port() const { return service_->port(); }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::string Output() const { return service_->Output(); }
  // Environment entries giving wharf this server and its credentials.
  std::vector<std::string> Env() const;

 private:
  std::unique_ptr<NodeService> service_;
};

// Fails the first `fail` requests (mode 503 | slowdown | drop), then proxies to `target_port`.
class FaultProxy {
 public:
  FaultProxy(const std::filesystem::path& dir, int target_port, int fail, const std::string& mode);
  int port() const { return service_->port(); }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }
  int Failed() const;  // requests failed so far
  std::string Output() const { return service_->Output(); }

 private:
  std::unique_ptr<NodeService> service_;
};

// A WharfTest staging into s3://wharf/<prefix>: the endpoint and key id from
// the AWS environment, the secret through the config's ${ENV} interpolation.
class S3WharfTest : public WharfTest {
 protected:
  void UseS3Endpoint(const std::string& endpoint, const std::string& prefix, const std::string& more_staging = "");
  void TearDown() override;
  // The bucket under `prefix`, through wharf's own store.
  std::unique_ptr<staging::ObjectStore> Bucket(const std::string& prefix);
};

// The team's strict S3 front (tests/support/s3_strict_proxy.py, a copy of
// shared/tools/s3-strict-proxy.py) before `server`: every SigV4 signature
// checked by botocore, If-None-Match / If-Match enforced as AWS does.
class StrictProxy {
 public:
  StrictProxy(const std::filesystem::path& dir, const S3Server& server);
  int port() const { return port_; }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const;  // what the proxy refused or passed

 private:
  std::filesystem::path log_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace wharf::test
