// Operations (issue 5): back-pressure with a disk budget while the warehouse
// is away, a full disk while staging, retention of applied batches, and
// `wharf replay` from kept batches. Outages are real: capture runs with no
// loader at all, another process holds the DuckDB file, the staging
// directory is a tmpfs that fills up.
#include <duckdb.h>
#include <signal.h>
#include <sys/mount.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "staging/codec.hpp"

namespace wharf::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class Ops : public WharfTest {
 protected:
  nlohmann::json Mark(const std::string& name) {
    std::ifstream in(work_ / "stage" / "src" / (name + ".json"));
    if (!in) return nlohmann::json::object();
    return nlohmann::json::parse(in);
  }
  // Bytes of the staged files of batches above the applied mark.
  uint64_t PendingBytes() {
    uint64_t applied = Mark("applied").value("seq", uint64_t{0});
    uint64_t bytes = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(work_ / "stage/src/manifests", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::ifstream in(it->path());
      auto m = nlohmann::json::parse(in);
      if (m["seq"].get<uint64_t>() <= applied) continue;
      for (const auto& f : m["files"]) bytes += f["bytes"].get<uint64_t>();
    }
    return bytes;
  }
  size_t DataFiles() {
    size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(work_ / "stage/src/data", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      n += it->is_regular_file();
    return n;
  }
  // Workload rounds (each stages ~10-20 kB) until `wharf` logs that capture
  // paused; false if it never does. `round` is the next unused round.
  bool WorkUntilPaused(ShopWorkload& shop, Process& wharf, int& round) {
    return WaitFor([&] {
      if (wharf.Output().find("capture src: paused") != std::string::npos) return true;
      if (round <= 60) shop.Round(round++);
      return false;
    }, 120s, 300ms);
  }
  // `wharf run --once` succeeded (its output in the failure message if not).
  bool RanOnce() {
    auto r = RunOnce();
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.exit_code == 0;
  }
  void ExpectEqualToSource(const fs::path& warehouse) {
    ExpectSameRows(dsn_, warehouse, ShopWorkload::Checks());
  }
};

// ---------------------------------------------------------------------------
// Back-pressure.

// `wharf capture` with no loader: it stages up to the budget, pauses without
// confirming more WAL while keeping its connection (wal_sender_timeout 2 s),
// and resumes once `wharf load` applies the backlog.
TEST_F(Ops, CaptureAlonePausesAtTheBudgetAndResumesWhenLoaded) {
  UseOwnCluster();
  const std::string admin = Cluster().Dsn("postgres");
  PgExec(admin, "ALTER SYSTEM SET wal_sender_timeout = '2s'");
  PgExec(admin, "SELECT pg_reload_conf()");
  ShopWorkload shop(dsn_);
  shop.Create(100);
  const uint64_t budget = 96 * 1024;
  staging_yaml_ += "  max_pending_bytes: 96KB\n";
  WriteDefaultConfig();
  auto capture = StartWharf({"capture"}, "capture.log");
  int round = 1;
  ASSERT_TRUE(WorkUntilPaused(shop, *capture, round)) << capture->Output();
  EXPECT_NE(capture->Output().find("staging.max_pending_bytes"), std::string::npos) << capture->Output();
  // Staged up to the budget, not beyond: at most one transaction past it.
  uint64_t pending = PendingBytes();
  EXPECT_GE(pending, budget);
  EXPECT_LT(pending, budget + 64 * 1024) << "capture staged far past its budget";

  // Paused: more writes, but the slot's confirmed position stands still, and
  // the walsender keeps its client well past wal_sender_timeout.
  const std::string pid = SlotPid();
  const std::string confirmed = ConfirmedLsn();
  const size_t manifests = ManifestCount();
  for (int i = 0; i < 3; ++i) shop.Round(round++);
  EXPECT_FALSE(WaitFor([&] { return ConfirmedLsn() != confirmed || ManifestCount() != manifests; }, 6s))
      << "capture confirmed or staged while paused; output:\n" << capture->Output();
  EXPECT_EQ(SlotPid(), pid) << "PostgreSQL dropped the paused client; output:\n" << capture->Output();
  ASSERT_TRUE(capture->Running()) << capture->Output();

  // `wharf status` says so, with what to do.
  auto status = Wharf({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("capture paused"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("wharf load"), std::string::npos) << status.output;
  auto json = Wharf({"status", "--json"});
  EXPECT_TRUE(nlohmann::json::parse(json.output)["sources"][0]["capture_paused"].get<bool>()) << json.output;
  // The pause was logged once, not on every check.
  const std::string out = capture->Output();
  EXPECT_EQ(out.find("capture src: paused"), out.rfind("capture src: paused")) << out;

  // The warehouse returns: the loader catches up and capture resumes.
  auto load = Wharf({"load", "--once"});
  ASSERT_EQ(load.exit_code, 0) << load.output;
  ASSERT_TRUE(WaitFor([&] { return capture->Output().find("capture src: resumed") != std::string::npos; }, 30s))
      << capture->Output();
  std::string lsn = CurrentLsn();
  ASSERT_TRUE(WaitFor([&] {
    if (ConfirmedPast(lsn)) return true;
    Wharf({"load", "--once"});  // the budget may fill again on the way
    return false;
  }, 120s, 500ms)) << capture->Output();
  capture->Signal(SIGINT);
  EXPECT_EQ(capture->Wait(60s), 0) << capture->Output();
  ASSERT_EQ(Wharf({"load", "--once"}).exit_code, 0);
  ExpectValidateEqual();
  ExpectEqualToSource(warehouse_);
}

// Separate long-running `wharf capture` and `wharf load` with a small budget
// and retention 0s: capture pauses and resumes as the loader (another
// process) applies and retention deletes behind it; the result is complete.
TEST_F(Ops, SeparateCaptureAndLoadWithBudgetAndRetention) {
  staging_yaml_ = "  retention: 0s\n  max_pending_bytes: 48KB\n";
  ShopWorkload shop(dsn_);
  shop.Create(200);
  WriteDefaultConfig();
  auto capture = StartWharf({"capture"}, "capture.log");
  int round = 1;
  ASSERT_TRUE(WorkUntilPaused(shop, *capture, round)) << capture->Output();
  auto load = StartWharf({"load"}, "load.log");
  for (int i = 0; i < 8; ++i) shop.Round(round++);
  shop.BigTransaction(2000, 90);
  std::string lsn = CurrentLsn();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 120s, 300ms))
      << capture->Output() << "\nload:\n" << load->Output();
  EXPECT_NE(capture->Output().find("capture src: resumed"), std::string::npos) << capture->Output();
  capture->Signal(SIGINT);
  EXPECT_EQ(capture->Wait(60s), 0) << capture->Output();
  // The loader applies the rest; retention deletes everything applied.
  ASSERT_TRUE(WaitFor([&] { return ManifestCount() == 0; }, 60s)) << load->Output();
  load->Signal(SIGINT);
  EXPECT_EQ(load->Wait(60s), 0) << load->Output();
  EXPECT_EQ(DataFiles(), 0u);
  ExpectValidateEqual();
  ExpectEqualToSource(warehouse_);
}

// Holds a DuckDB file open (and locked) from this process.
class DuckLock {
 public:
  explicit DuckLock(const fs::path& file) {
    if (duckdb_open(file.c_str(), &db_) == DuckDBError) throw std::runtime_error("cannot lock " + file.string());
  }
  ~DuckLock() { Release(); }
  void Release() {
    if (db_) duckdb_close(&db_);
    db_ = nullptr;
  }

 private:
  duckdb_database db_ = nullptr;
};

// `wharf run` while another process holds the warehouse: it keeps capturing
// (up to its budget), retries the warehouse, and catches up once it is free.
TEST_F(Ops, RunRidesOutALockedWarehouse) {
  ShopWorkload shop(dsn_);
  shop.Create(200);
  staging_yaml_ += "  max_pending_bytes: 64KB\n";
  WriteDefaultConfig();
  ASSERT_TRUE(RanOnce());
  DuckLock lock(warehouse_);
  auto run = StartWharf({"run"}, "run.log");
  ASSERT_TRUE(WaitFor([&] { return run->Output().find("warehouse unavailable") != std::string::npos; }, 30s))
      << run->Output();
  // --once, a batch job, fails at once instead, naming the lock.
  auto once = Wharf({"load", "--once"});
  EXPECT_NE(once.exit_code, 0);
  EXPECT_NE(once.output.find("lock"), std::string::npos) << once.output;
  int round = 1;
  ASSERT_TRUE(WorkUntilPaused(shop, *run, round)) << run->Output();
  ASSERT_TRUE(run->Running()) << run->Output();
  lock.Release();
  ASSERT_TRUE(WaitFor([&] { return run->Output().find("capture src: resumed") != std::string::npos; }, 60s))
      << run->Output();
  EXPECT_NE(run->Output().find("warehouse available again"), std::string::npos) << run->Output();
  shop.Round(round++);
  std::string lsn = CurrentLsn();
  ASSERT_TRUE(WaitFor([&] { return ConfirmedPast(lsn); }, 60s)) << run->Output();
  run->Signal(SIGINT);
  EXPECT_EQ(run->Wait(60s), 0) << run->Output();
  ASSERT_TRUE(RanOnce());
  ExpectValidateEqual();
  ExpectEqualToSource(warehouse_);
}

// ---------------------------------------------------------------------------
// A full disk while a batch is written.

class TmpfsMount {
 public:
  TmpfsMount(const fs::path& dir, const std::string& size) : dir_(dir) {
    fs::create_directories(dir);
    ok_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~TmpfsMount() {
    if (ok_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }
  bool Resize(const std::string& size) {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
  }

 private:
  fs::path dir_;
  bool ok_ = false;
};

TEST_F(Ops, FullStagingDiskLosesNothingAndSaysWhatToDo) {
  TmpfsMount disk(work_ / "stage", "1m");
  if (!disk.ok()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  ShopWorkload shop(dsn_);
  shop.Create(100);
  PgRun("CREATE TABLE blobs (id int PRIMARY KEY, b text)");
  WriteDefaultConfig();
  ASSERT_TRUE(RanOnce());
  const std::string before = CurrentLsn();
  // ~3 MB of barely compressible text: more than the disk holds.
  PgRun("INSERT INTO blobs SELECT g, (SELECT string_agg(md5(random()::text || g || s), '') FROM "
        "generate_series(1, 40) s) FROM generate_series(1, 2500) g");
  shop.Round(1);
  auto full = RunOnce();
  EXPECT_NE(full.exit_code, 0) << full.output;
  EXPECT_NE(full.output.find("No space left on device"), std::string::npos) << full.output;
  EXPECT_NE(full.output.find("free space"), std::string::npos) << full.output;
  EXPECT_NE(full.output.find((work_ / "stage").string()), std::string::npos)
      << "the error should name the path:\n" << full.output;
  // Nothing of the failed batch was confirmed.
  EXPECT_FALSE(ConfirmedPast(before) && ConfirmedLsn() != before)
      << "confirmed " << ConfirmedLsn() << ", past " << before << " written before the big transaction";
  // Space returns; a restart continues with nothing lost or doubled.
  ASSERT_TRUE(disk.Resize("256m"));
  auto again = RunOnce();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  ExpectValidateEqual();
  ExpectEqualToSource(warehouse_);
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id) FROM public.blobs")[0],
            (std::vector<std::optional<std::string>>{"2500", "2500"}));
}

// ---------------------------------------------------------------------------
// Retention and replay.

TEST_F(Ops, RetentionZeroDeletesAppliedBatchesAndNumberingContinues) {
  staging_yaml_ = "  retention: 0s\n";
  ShopWorkload shop(dsn_);
  shop.Create(300);
  WriteDefaultConfig();
  ASSERT_TRUE(RanOnce());
  shop.Round(1);
  shop.Round(2);
  ASSERT_TRUE(RanOnce());
  auto seq = [&] { return Str(Duck("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state")[0][0]); };
  const std::string applied = seq();
  EXPECT_EQ(ManifestCount(), 0u) << "applied batches should be deleted";
  EXPECT_EQ(DataFiles(), 0u);
  EXPECT_EQ(Mark("retained")["deleted_through"].get<uint64_t>(), std::stoull(applied));
  // The documented resynchronisation (delete <source>/state) keeps the watermark.
  EXPECT_TRUE(fs::exists(work_ / "stage/src/retained.json"));

  // A restart continues numbering after the deleted batches; a crash in the
  // middle of deleting is finished by the next run.
  shop.Round(3);
  auto crashed = Wharf({"run", "--once"}, {"WHARF_FAULT=retention.after_data_file:2"});
  EXPECT_EQ(crashed.exit_code, 128 + SIGKILL) << crashed.output;
  shop.Round(4);
  ASSERT_TRUE(RanOnce());
  EXPECT_GT(std::stoull(seq()), std::stoull(applied));
  EXPECT_EQ(ManifestCount(), 0u);
  EXPECT_EQ(DataFiles(), 0u);
  ExpectValidateEqual();
  ExpectEqualToSource(warehouse_);

  // Replay refuses: the batches are gone.
  auto replay = Wharf({"replay", "--target-path", (work_ / "replay.duckdb").string()});
  EXPECT_EQ(replay.exit_code, 2) << replay.output;
  EXPECT_NE(replay.output.find("deleted by retention"), std::string::npos) << replay.output;
  EXPECT_NE(replay.output.find("first kept batch is " + std::to_string(std::stoull(seq()) + 1)),
            std::string::npos) << replay.output;
}

TEST_F(Ops, RetentionKeepsYoungBatches) {
  staging_yaml_ = "  retention: 1h\n";
  ShopWorkload shop(dsn_);
  shop.Create(100);
  WriteDefaultConfig();
  ASSERT_TRUE(RanOnce());
  shop.Round(1);
  ASSERT_TRUE(RanOnce());
  EXPECT_EQ(std::to_string(ManifestCount()), Str(Duck("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state")[0][0]));
  EXPECT_FALSE(fs::exists(work_ / "stage/src/retained.json") &&
               Mark("retained").value("deleted_through", 0) != 0);
}

TEST_F(Ops, ReplayRebuildsAWarehouseFromKeptBatches) {
  ShopWorkload shop(dsn_);  // the harness keeps batches forever
  shop.Create(500);
  WriteDefaultConfig();
  ASSERT_TRUE(RanOnce());
  shop.Round(1);
  shop.BigTransaction(3000, 50);
  shop.Round(2);
  shop.Round(3);
  ASSERT_TRUE(RanOnce());
  const fs::path rebuilt = work_ / "replay.duckdb";
  auto r = Wharf({"replay", "--target-path", rebuilt.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("replayed"), std::string::npos) << r.output;
  ExpectEqualToSource(rebuilt);
  EXPECT_EQ(DuckQuery(rebuilt, "SELECT count(*), sum(_wharf_lsn) FROM public.orders"),
            Duck("SELECT count(*), sum(_wharf_lsn) FROM public.orders"));
  EXPECT_EQ(DuckQuery(rebuilt, "SELECT batch_seq FROM _wharf.state"), Duck("SELECT batch_seq FROM _wharf.state"));
  // Not into a warehouse that already holds batches (the live one, or the rebuilt one).
  auto again = Wharf({"replay"});
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("already holds"), std::string::npos) << again.output;
  // Replay touched neither the live pipeline's marks nor its batches.
  EXPECT_EQ(std::to_string(ManifestCount()), Str(Duck("SELECT CAST(batch_seq AS VARCHAR) FROM _wharf.state")[0][0]));
}

TEST_F(Ops, ReplayLoadsBatchesStagedWithSha256Checksums) {
  // Batches kept from before xxh128: each manifest file entry has key "sha256"
  // (bare hex of the stored bytes) and no "checksum". Replay, as after an
  // upgrade, must verify and load them; a damaged one is still refused.
  ShopWorkload shop(dsn_);
  shop.Create(300);
  WriteDefaultConfig();
  ASSERT_TRUE(RanOnce());
  shop.Round(1);
  ASSERT_TRUE(RanOnce());
  const fs::path stage = work_ / "stage";
  std::string some_file;
  for (const auto& entry : fs::directory_iterator(stage / "src/manifests")) {
    nlohmann::json m;
    {
      std::ifstream in(entry.path());
      m = nlohmann::json::parse(in);
    }
    for (auto& f : m["files"]) {
      ASSERT_EQ(f["checksum"].get<std::string>().substr(0, 7), "xxh128:") << f.dump();
      std::ifstream data(stage / f["path"].get<std::string>(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(data)), std::istreambuf_iterator<char>());
      f.erase("checksum");
      f["sha256"] = staging::Sha256Hex(bytes);
      some_file = f["path"].get<std::string>();
    }
    std::ofstream(entry.path()) << m.dump(1);
  }
  ASSERT_FALSE(some_file.empty());
  const fs::path rebuilt = work_ / "replay.duckdb";
  auto r = Wharf({"replay", "--target-path", rebuilt.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectEqualToSource(rebuilt);

  // One byte of a kept file flipped: replay stops naming it, as under xxh128.
  {
    std::fstream f(stage / some_file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(fs::file_size(stage / some_file) / 2));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(fs::file_size(stage / some_file) / 2));
    f.put(static_cast<char>(c ^ 1));
  }
  auto damaged = Wharf({"replay", "--target-path", (work_ / "replay2.duckdb").string()});
  EXPECT_NE(damaged.exit_code, 0) << damaged.output;
  EXPECT_NE(damaged.output.find(some_file), std::string::npos) << damaged.output;
  EXPECT_NE(damaged.output.find("corrupt"), std::string::npos) << damaged.output;
}

}  // namespace
}  // namespace wharf::test
