#include "integration/s3_harness.hpp"

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

}  // namespace wharf::test
