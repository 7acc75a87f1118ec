// ParallelChangeReader: several threads' cursors together yield exactly the
// file's changes, whatever the block size (down to lines longer than a
// block), compression and format; malformed, truncated and miscounted files
// fail with the file, and the line, named.
#include "staging/parallel_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "staging/format.hpp"
#include "staging/local_store.hpp"
#include "staging/object_store.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::staging {
namespace {

using core::Change;
using core::Datum;

core::RelationSchema Schema() {
  core::RelationSchema s;
  s.oid = 7;
  s.table = {"public", "t"};
  s.columns = {{"id", 20, -1, true}, {"note", 25, -1, false}, {"n", 1700, -1, false}};
  return s;
}

std::vector<Change> Rows(size_t n) {
  std::vector<Change> out;
  for (size_t i = 0; i < n; ++i) {
    Change c;
    c.op = core::Op::kSnapshot;
    c.lsn = Lsn(500);
    c.end_lsn = Lsn(500);
    c.seq = static_cast<uint32_t>(i);
    c.ts = 1700000000000000;
    std::string note = i % 97 == 0 ? std::string(3000, 'x')  // longer than the small blocks
                                   : "row \"" + std::to_string(i) + "\"\n\ttab \\ é";
    c.row = {std::to_string(i), i % 5 == 0 ? Datum() : Datum(note), Datum(std::to_string(i) + ".5")};
    out.push_back(std::move(c));
  }
  return out;
}

struct Staged {
  ManifestFile file;
  std::string bytes;
};

Staged Stage(Format format, Compression compression, const std::vector<Change>& changes) {
  test::TempDir dir;
  LocalStore store(dir.path().string());
  Staged s;
  s.file.path = "f." + FormatExtension(format, compression);
  s.file.relation = Schema();
  s.file.format = FormatName(format);
  s.file.compression = CompressionName(compression);
  s.file.fresh = true;
  auto enc = OpenEncoder(format, compression, s.file.relation, store.OpenWriter(s.file.path));
  for (const auto& c : changes) enc->Add(c);
  enc->Finish();
  s.file.rows = changes.size();
  s.file.bytes = enc->stored_bytes();
  s.bytes = store.Read(s.file.path);
  return s;
}

// Every change the cursors of `threads` threads read, in seq order.
std::vector<Change> ReadAll(const Staged& s, size_t block_size, size_t threads) {
  auto reader = OpenParallelChangeReader(s.file, std::make_unique<MemoryReader>(s.bytes, 777), "staged/f",
                                         block_size);
  std::mutex mu;
  std::vector<Change> out;
  std::exception_ptr failure;
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      try {
        auto cursor = reader->OpenCursor();
        Change c;
        while (cursor->Next(c)) {
          std::lock_guard lock(mu);
          out.push_back(c);
        }
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  reader->Finish();
  std::sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.seq < b.seq; });
  return out;
}

void ExpectSame(const std::vector<Change>& got, const std::vector<Change>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].op, want[i].op);
    EXPECT_EQ(got[i].lsn, want[i].lsn);
    EXPECT_EQ(got[i].seq, want[i].seq);
    EXPECT_EQ(got[i].ts, want[i].ts);
    EXPECT_EQ(got[i].row, want[i].row);
  }
}

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kStaging) << e.Describe();
    return e.Describe();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(ParallelReader, CursorsOnThreadsReadEveryChangeOnceAtAnyBlockSize) {
  const auto want = Rows(2000);
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    Staged s = Stage(Format::kJsonl, c, want);
    for (size_t block : {size_t{1}, size_t{100}, size_t{4096}, size_t{1} << 20}) {
      SCOPED_TRACE(CompressionName(c) + " block " + std::to_string(block));
      ExpectSame(ReadAll(s, block, 4), want);
    }
  }
}

TEST(ParallelReader, JsonLinesDecodeInParallelOtherFormatsOnOneThread) {
  const auto want = Rows(300);
  Staged jsonl = Stage(Format::kJsonl, Compression::kNone, want);
  Staged csv = Stage(Format::kCsv, Compression::kZstd, want);
  EXPECT_GT(OpenParallelChangeReader(jsonl.file, std::make_unique<MemoryReader>(jsonl.bytes), "f")->parallelism(),
            1u);
  EXPECT_EQ(OpenParallelChangeReader(csv.file, std::make_unique<MemoryReader>(csv.bytes), "f")->parallelism(), 1u);
  ExpectSame(ReadAll(csv, 4096, 3), want);
}

TEST(ParallelReader, AMalformedLineIsNamedByItsNumber) {
  auto want = Rows(1000);
  Staged s = Stage(Format::kJsonl, Compression::kNone, want);
  // Break line 777 (its first byte).
  size_t at = 0;
  for (int line = 1; line < 777; ++line) at = s.bytes.find('\n', at) + 1;
  s.bytes[at] = '[';
  std::string msg = ErrorOf([&] { ReadAll(s, 500, 3); });
  EXPECT_NE(msg.find("staged/f line 777 is malformed"), std::string::npos) << msg;
}

TEST(ParallelReader, TruncatedOrMiscountedFilesAreRefused) {
  auto want = Rows(50);
  Staged s = Stage(Format::kJsonl, Compression::kNone, want);
  Staged cut = s;
  cut.bytes.pop_back();  // the last newline
  std::string msg = ErrorOf([&] { ReadAll(cut, 64, 2); });
  EXPECT_NE(msg.find("staged/f is truncated: line 50 has no end"), std::string::npos) << msg;

  Staged whole_lines = s;
  whole_lines.bytes.resize(s.bytes.rfind('\n', s.bytes.size() - 2) + 1);  // the last line gone
  msg = ErrorOf([&] { ReadAll(whole_lines, 64, 2); });
  EXPECT_NE(msg.find("holds 49 changes where its manifest says 50"), std::string::npos) << msg;

  Staged zst = Stage(Format::kJsonl, Compression::kZstd, want);
  zst.bytes.resize(zst.bytes.size() / 2);
  msg = ErrorOf([&] { ReadAll(zst, 64, 2); });
  EXPECT_NE(msg.find("staged/f"), std::string::npos) << msg;
}

}  // namespace
}  // namespace wharf::staging
