// End-to-end tests of the load stage (issue 3): tables without a key keep multiset semantics,
// unchanged TOAST values land exactly under REPLICA IDENTITY DEFAULT and FULL, and a batch
// split into many chunks (WHARF_LOAD_CHUNK_BYTES) loads as one transaction equal to the source.
#include <string>
#include <vector>

#include "core/change.hpp"
#include "harness.hpp"
#include "staging/codec.hpp"
#include "staging/jsonl.hpp"
#include "staging/local_store.hpp"
#include "staging/staged_log.hpp"

namespace wharf::test {
namespace {

class Load : public WharfTest {
 protected:
  ProcessResult RunOnceChunked(size_t chunk_bytes) {
    return Wharf({"run", "--once"}, {"WHARF_LOAD_CHUNK_BYTES=" + std::to_string(chunk_bytes)});
  }

  // Staged updates to `table` that left a column out as unchanged TOAST.
  size_t StagedUnchanged(const std::string& table) {
    staging::LocalStore store(work_ / "stage");
    size_t n = 0;
    for (uint64_t seq : staging::ListManifests(store, "src")) {
      for (const auto& f : staging::ReadManifest(store, "src", seq).files) {
        if (f.relation.table.name != table) continue;
        staging::DecodingReader text(store.OpenReader(f.path),
                                     staging::ParseCompression(f.compression), f.path);
        staging::JsonLinesReader lines(f.relation, text, f.path);
        core::Change c;
        while (lines.Next(c)) n += !c.unchanged.empty();
      }
    }
    return n;
  }

  // (key, other columns..., md5 of the wide column) on both sides, in key order.
  void ExpectSameWide(const std::string& table) {
    auto pg = Pg("SELECT id::text, n::text, md5(body), length(body)::text FROM " + table +
                 " t ORDER BY t.id");
    auto duck = Duck("SELECT CAST(id AS VARCHAR), CAST(n AS VARCHAR), md5(body), "
                     "CAST(length(body) AS VARCHAR) FROM public." + table + " ORDER BY id");
    EXPECT_EQ(duck, pg) << table;
  }

  // Copies per distinct (k, v) row on both sides.
  void ExpectSameMultiset(const std::string& table) {
    auto pg = Pg("SELECT t.k::text, t.v, count(*)::text FROM " + table +
                 " t GROUP BY t.k, t.v ORDER BY t.k, t.v NULLS LAST");
    auto duck = Duck("SELECT CAST(k AS VARCHAR), v, CAST(count(*) AS VARCHAR) FROM public." +
                     table + " GROUP BY k, v ORDER BY k, v NULLS LAST");
    EXPECT_EQ(duck, pg) << table;
  }
};

TEST_F(Load, TableWithoutKeyKeepsIdenticalRowsApart) {
  PgRun("CREATE TABLE bag (k int, v text);"
        "ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag VALUES (1, 'x'), (1, 'x'), (1, 'x'), (2, 'y'), (2, 'y'), (3, NULL), "
        "(3, NULL), (4, 'z');");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameMultiset("bag");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.bag")[0][0], "8");

  // One of three identical rows deleted, one of two updated, one NULL-holding row
  // deleted, duplicates inserted; each statement its own transaction.
  PgExec(dsn_, "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 1 LIMIT 1)");
  PgExec(dsn_, "UPDATE bag SET v = 'y2' WHERE ctid = (SELECT ctid FROM bag WHERE k = 2 LIMIT 1)");
  PgExec(dsn_, "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 3 LIMIT 1)");
  PgExec(dsn_, "INSERT INTO bag VALUES (4, 'z'), (4, 'z'), (5, 'w')");
  // Within one transaction: insert two, delete one of them, update one copy to equal another row.
  PgExec(dsn_, "BEGIN;"
               "INSERT INTO bag VALUES (6, 'q'), (6, 'q');"
               "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 6 LIMIT 1);"
               "UPDATE bag SET k = 1, v = 'x' WHERE ctid = (SELECT ctid FROM bag WHERE k = 4 LIMIT 1);"
               "COMMIT;");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameMultiset("bag");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.bag WHERE k = 1")[0][0], "3");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.bag WHERE k = 2 AND v = 'y'")[0][0], "1");
  EXPECT_EQ(Duck("SELECT count(*) FROM public.bag WHERE k = 3")[0][0], "1");
  // validate compares a key-less table as a multiset too.
  ExpectValidateEqual();

  // Deleting every copy and an UPDATE of all identical rows.
  PgExec(dsn_, "DELETE FROM bag WHERE k = 1");
  PgExec(dsn_, "UPDATE bag SET v = 'all' WHERE k = 4");
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectSameMultiset("bag");
  ExpectValidateEqual();
}

TEST_F(Load, ValidateCountsCopiesOfKeylessRows) {
  PgRun("CREATE TABLE bag (k int, v text); ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag VALUES (1, 'x'), (1, 'x'), (2, 'y');");
  WriteDefaultConfig();
  ASSERT_EQ(RunOnce().exit_code, 0);
  ExpectValidateEqual();
  // One copy too many in the warehouse, one row missing.
  DuckExec(warehouse_, "INSERT INTO public.bag (k, v) VALUES (1, 'x');"
                       "DELETE FROM public.bag WHERE k = 2;");
  auto r = Wharf({"validate"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not in source: (k,v)=(1,x)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing in warehouse: (k,v)=(2,y)"), std::string::npos) << r.output;
}

TEST_F(Load, UnchangedToastValuesLandExactlyUnderDefaultAndFullIdentity) {
  // 100 kB of md5 hex: pglz cannot shrink it enough, so it is stored out of line
  // and updates that do not touch it send it as an unchanged TOAST value.
  PgRun("CREATE FUNCTION wide() RETURNS text LANGUAGE sql VOLATILE AS "
        "$$ SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 3125) $$;"
        "CREATE TABLE docs_d (id int PRIMARY KEY, n int, body text);"
        "CREATE TABLE docs_f (id int PRIMARY KEY, n int, body text);"
        "ALTER TABLE docs_f REPLICA IDENTITY FULL;"
        "INSERT INTO docs_d SELECT g, 0, wide() FROM generate_series(1, 8) g;"
        "INSERT INTO docs_f SELECT * FROM docs_d;");
  WriteDefaultConfig();
  auto r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> tables = {"docs_d", "docs_f"};
  auto each = [&](const std::string& sql_with_t) {
    std::string all;
    for (const auto& t : tables) {
      std::string s = sql_with_t;
      for (size_t p; (p = s.find("$T")) != std::string::npos;) s.replace(p, 2, t);
      all += s;
    }
    return all;
  };

  // Several updates to one key in one transaction (one batch), only some of which
  // change the wide column; and a key whose wide column never changes.
  PgRun(each("BEGIN;"
             "UPDATE $T SET n = n + 1 WHERE id = 1;"
             "UPDATE $T SET body = wide() WHERE id = 1;"
             "UPDATE $T SET n = n + 1 WHERE id = 1;"
             "UPDATE $T SET n = n + 1 WHERE id = 2;"
             "UPDATE $T SET n = n + 1 WHERE id = 2;"
             "COMMIT;"));
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& t : tables) ExpectSameWide(t);

  // The same across separate batches: the unchanged value is then only in the warehouse
  // (DEFAULT) or in the old row (FULL).
  for (const char* sql : {"UPDATE $T SET n = n + 1 WHERE id = 3;", "UPDATE $T SET body = wide() WHERE id = 3;",
                          "UPDATE $T SET n = n + 1 WHERE id = 3;"}) {
    PgRun(each(sql));
    r = RunOnce();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const auto& t : tables) ExpectSameWide(t);
  }

  // A key change with the wide column unchanged, then another update under the new key.
  PgRun(each("BEGIN; UPDATE $T SET id = 40 WHERE id = 4; UPDATE $T SET n = 9 WHERE id = 40; COMMIT;"));
  r = RunOnce();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& t : tables) ExpectSameWide(t);

  // One change per chunk: the later updates fill from what earlier chunks of the same
  // warehouse transaction wrote.
  PgRun(each("BEGIN;"
             "UPDATE $T SET body = wide() WHERE id = 5;"
             "UPDATE $T SET n = n + 1 WHERE id = 5;"
             "UPDATE $T SET n = n + 1 WHERE id = 6;"
             "UPDATE $T SET body = wide(), n = 7 WHERE id = 6;"
             "UPDATE $T SET n = n + 1 WHERE id = 6;"
             "DELETE FROM $T WHERE id = 7;"
             "INSERT INTO $T VALUES (7, 70, wide());"
             "UPDATE $T SET n = 71 WHERE id = 7;"
             "COMMIT;"));
  r = RunOnceChunked(1);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& t : tables) ExpectSameWide(t);
  EXPECT_EQ(Duck("SELECT min(length(body)) FROM public.docs_d")[0][0], "100000");

  // The test means something only if PostgreSQL really left the values out.
  EXPECT_GT(StagedUnchanged("docs_d"), 5u);
  EXPECT_GT(StagedUnchanged("docs_f"), 5u);
  ExpectValidateEqual();
}

TEST_F(Load, BatchSplitIntoManyChunksEqualsTheSource) {
  PgRun("CREATE TABLE items (id int PRIMARY KEY, v text, n int);"
        "INSERT INTO items SELECT g, 'v' || g, g FROM generate_series(1, 500) g;"
        "CREATE TABLE bag (k int, v text);"
        "ALTER TABLE bag REPLICA IDENTITY FULL;"
        "INSERT INTO bag SELECT g % 10, 'v' || (g % 4) FROM generate_series(1, 200) g;");
  WriteDefaultConfig();
  // The full load too goes through small chunks.
  auto r = RunOnceChunked(20000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectValidateEqual();

  // One large transaction whose changes to the same keys fall into different chunks:
  // updates, deletes, re-inserts, key changes, a delete and re-insert of a range.
  PgRun("BEGIN;"
        "UPDATE items SET n = n + 1;"
        "DELETE FROM items WHERE id % 3 = 0;"
        "INSERT INTO items SELECT g, 'again', -g FROM generate_series(1, 500) g WHERE g % 3 = 0;"
        "UPDATE items SET v = v || '!' WHERE id % 5 = 0;"
        "UPDATE items SET id = id + 10000 WHERE id % 7 = 0;"
        "INSERT INTO items SELECT g, 'new', 0 FROM generate_series(600, 900) g;"
        "DELETE FROM items WHERE id BETWEEN 650 AND 700;"
        "INSERT INTO items SELECT g, 'back', 1 FROM generate_series(650, 660) g;"
        "UPDATE items SET n = n * 2 WHERE id BETWEEN 1 AND 100;"
        "INSERT INTO bag SELECT g % 10, 'v' || (g % 4) FROM generate_series(1, 300) g;"
        "DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag WHERE k = 1 LIMIT 5);"
        "UPDATE bag SET v = 'changed' WHERE ctid IN (SELECT ctid FROM bag WHERE k = 2 LIMIT 3);"
        "COMMIT;"
        "BEGIN;"
        "DELETE FROM items WHERE id > 10000;"
        "UPDATE items SET v = 'last' WHERE id % 11 = 0;"
        "DELETE FROM bag WHERE k = 3;"
        "COMMIT;");
  const size_t before = ManifestCount();
  r = RunOnceChunked(20000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LE(ManifestCount() - before, 2u) << "each transaction is at most one batch";
  EXPECT_NE(r.output.find("chunks"), std::string::npos) << "the batch was not split:\n" << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(DISTINCT id), sum(n) FROM public.items")[0],
            Pg("SELECT count(*)::text, count(DISTINCT id)::text, sum(n)::text FROM items")[0]);
  ExpectSameMultiset("bag");
  ExpectValidateEqual();
  // A TRUNCATE in the middle of a chunked batch.
  PgRun("BEGIN; UPDATE items SET n = 0 WHERE id < 50; TRUNCATE items; "
        "INSERT INTO items SELECT g, 't', g FROM generate_series(1, 300) g; "
        "UPDATE items SET v = 'tt' WHERE id < 100; COMMIT;");
  r = RunOnceChunked(5000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Duck("SELECT count(*), count(*) FILTER (WHERE v = 'tt') FROM public.items")[0],
            (std::vector<std::optional<std::string>>{"300", "99"}));
  ExpectValidateEqual();
}

}  // namespace
}  // namespace wharf::test
