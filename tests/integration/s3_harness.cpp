#include "integration/s3_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

namespace wharf::test {

namespace fs = std::filesystem;

NodeService::NodeService(const std::string& script, const std::vector<std::string>& args, const fs::path& log) {
  // s3rver's ListObjectsV2 continuation tokens use DES, which Node 17+ only
  // has with OpenSSL's legacy provider.
  std::vector<std::string> argv = {"node", "--openssl-legacy-provider",
                                   std::string(WHARF_SOURCE_DIR) + "/tests/support/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  fs::remove(log);
  process_ = std::make_unique<Process>("/usr/bin/env", argv, log);
  std::regex listening("listening on port (\\d+)");
  bool up = WaitFor(
      [&] {
        std::smatch m;
        std::string out = process_->Output();
        if (std::regex_search(out, m, listening)) port_ = std::stoi(m[1]);
        return port_ > 0 || !process_->Running();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50));
  if (!up || port_ == 0) {
    throw std::runtime_error(script + " did not start (run scripts/setup.sh?); output:\n" + process_->Output());
  }
}

S3Server::S3Server(const fs::path& dir, const std::vector<std::string>& buckets, const std::string& notify_url) {
  fs::create_directories(dir / "data");
  std::string list;
  for (const auto& b : buckets) list += (list.empty() ? "" : ",") + b;
  std::vector<std::string> args = {"--dir", (dir / "data").string(), "--buckets", list, "--key",
                                   std::string(kAccessKey) + ":" + kSecretKey};
  if (!notify_url.empty()) {
    args.push_back("--notify");
    args.push_back(notify_url);
  }
  service_ = std::make_unique<NodeService>("s3_server.js", args, dir / "s3_server.log");
}

std::vector<std::string> S3Server::Env() const {
  return {"AWS_ENDPOINT_URL=" + Endpoint(), "AWS_ACCESS_KEY_ID=" + std::string(kAccessKey),
          "AWS_SECRET_ACCESS_KEY=" + std::string(kSecretKey), "AWS_REGION=us-east-1"};
}

FaultProxy::FaultProxy(const fs::path& dir, int target_port, int fail, const std::string& mode) {
  fs::create_directories(dir);
  service_ = std::make_unique<NodeService>(
      "fault_proxy.js",
      std::vector<std::string>{"--target", std::to_string(target_port), "--fail", std::to_string(fail), "--mode", mode},
      dir / ("fault_proxy_" + mode + ".log"));
}

int FaultProxy::Failed() const {
  std::string out = service_->Output();
  int n = 0;
  for (size_t p = out.find("fault_proxy failed"); p != std::string::npos; p = out.find("fault_proxy failed", p + 1)) ++n;
  return n;
}

void S3WharfTest::UseS3Endpoint(const std::string& endpoint, const std::string& prefix,
                                const std::string& more_staging) {
  staging_url_ = "s3://wharf/" + prefix;
  staging_yaml_ += "  s3:\n    secret_access_key: ${WHARF_TEST_S3_SECRET}\n" + more_staging;
  setenv("WHARF_TEST_S3_SECRET", S3Server::kSecretKey, 1);
  setenv("AWS_ENDPOINT_URL", endpoint.c_str(), 1);
  setenv("AWS_ACCESS_KEY_ID", S3Server::kAccessKey, 1);
  setenv("AWS_REGION", "us-east-1", 1);
}

void S3WharfTest::TearDown() {
  for (const char* v : {"WHARF_TEST_S3_SECRET", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_REGION"}) unsetenv(v);
  WharfTest::TearDown();
}

std::unique_ptr<staging::ObjectStore> S3WharfTest::Bucket(const std::string& prefix) {
  core::StagingConfig staging;
  staging.url = "s3://wharf/" + prefix;
  staging.s3.secret_access_key = S3Server::kSecretKey;
  return staging::OpenObjectStore(staging, work_.string());
}

StrictProxy::StrictProxy(const fs::path& dir, const S3Server& server) : log_(dir / "strict_proxy.log") {
  fs::create_directories(dir);
  port_ = FreePort();
  process_ = std::make_unique<Process>(
      "/usr/bin/python3",
      std::vector<std::string>{std::string(WHARF_SOURCE_DIR) + "/tests/support/s3_strict_proxy.py",
                               std::to_string(port_), std::to_string(server.port()), S3Server::kAccessKey,
                               S3Server::kSecretKey, log_.string()},
      dir / "strict_proxy.out");
  bool up = WaitFor(
      [&] {
        if (!process_->Running()) return true;
        // A bare connect: an HTTP probe would be logged as an unsigned request.
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port_));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50));
  if (!up || !process_->Running()) {
    throw std::runtime_error("the strict S3 proxy did not start (scripts/setup.sh installs python3-botocore); output:\n" +
                             process_->Output());
  }
}

std::string StrictProxy::Log() const {
  std::ifstream in(log_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace wharf::test
