// wharf init writes a configuration that works as written; wharf doctor
// names what is wrong with the fix, and changes nothing.
#include "integration/harness.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;

class InitDoctor : public WharfTest {};

TEST_F(InitDoctor, InitWritesAConfigThatRunsAndNeverOverwrites) {
  PgRun("CREATE TABLE keyed (id int PRIMARY KEY, v text); INSERT INTO keyed VALUES (1, 'a'), (2, 'b');"
        "CREATE TABLE loose (v text); CREATE SCHEMA other; CREATE TABLE other.t (k int PRIMARY KEY)");
  fs::path out = work_ / "init.yaml";
  auto r = RunWharf({"init", "--source", dsn_, "--output", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 table(s), 1 of them need REPLICA IDENTITY FULL"), std::string::npos) << r.output;
  std::string text = ReadFile(out);
  EXPECT_NE(text.find("public.keyed"), std::string::npos) << text;
  EXPECT_NE(text.find("primary key (id)"), std::string::npos) << text;
  EXPECT_NE(text.find("NEEDS: ALTER TABLE public.loose REPLICA IDENTITY FULL;"), std::string::npos) << text;
  EXPECT_NE(text.find("- \"other.*\""), std::string::npos) << text;
  // A second init refuses to overwrite, and leaves the file as it was.
  auto again = RunWharf({"init", "--source", dsn_, "--output", out.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.output.find("never overwrites"), std::string::npos) << again.output;
  EXPECT_EQ(ReadFile(out), text);
  // The file runs as written (relative paths next to it).
  auto doctor = RunWharf({"doctor", "-c", out.string()});
  EXPECT_EQ(doctor.exit_code, 0) << doctor.output;
  EXPECT_NE(doctor.output.find("warn  public.loose has no primary key"), std::string::npos) << doctor.output;
  // The test cluster keeps WAL for slots without limit: said, with both fixes.
  EXPECT_NE(doctor.output.find("warn  max_slot_wal_keep_size is unlimited"), std::string::npos) << doctor.output;
  EXPECT_NE(doctor.output.find("slot_guard.drop_slot_at"), std::string::npos) << doctor.output;
  EXPECT_NE(doctor.output.find("free for staging (staging.max_pending_bytes"), std::string::npos) << doctor.output;
  EXPECT_FALSE(fs::exists(work_ / "wharf-stage" / "doctor")) << "the write probe leaves nothing behind";
  auto run = RunWharf({"run", "--once", "-c", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(DuckQuery(work_ / "warehouse.duckdb", "SELECT count(*) FROM public.keyed")[0][0].value_or(""), "2");
}

TEST_F(InitDoctor, InitKeepsThePasswordOutOfTheFile) {
  PgRun("CREATE TABLE t (id int PRIMARY KEY)");
  std::string with_password = dsn_;
  with_password.replace(with_password.find("postgres@"), 9, "postgres:sekrit@");
  fs::path out = work_ / "init.yaml";
  auto r = RunWharf({"init", "--source", with_password, "--output", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string text = ReadFile(out);
  EXPECT_EQ(text.find("sekrit"), std::string::npos) << text;
  EXPECT_EQ(r.output.find("sekrit"), std::string::npos) << r.output;
  EXPECT_NE(text.find("${"), std::string::npos) << text;
}

TEST_F(InitDoctor, DoctorNamesEachFailureWithItsFix) {
  PgRun("CREATE TABLE t (id int PRIMARY KEY)");
  PgRun("DROP ROLE IF EXISTS doctor_plain; CREATE ROLE doctor_plain LOGIN");
  std::string plain = dsn_;
  plain.replace(plain.find("postgres@"), 9, "doctor_plain@");
  WriteConfig("  - name: src\n    dsn: " + plain + "\n    tables: [\"nowhere.*\"]\n"
              "  - name: gone\n    dsn: postgres://postgres@127.0.0.1:1/nothing\n");
  auto r = Wharf({"doctor"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL  role doctor_plain may use replication"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ALTER ROLE \"doctor_plain\" REPLICATION;"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  may create publication wharf_src"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("TO \"doctor_plain\";"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  0 table(s) match tables: [nowhere.*]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("source gone"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  cannot connect"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not ready: 4 failure(s)"), std::string::npos) << r.output;
  // Nothing was created: no slot, no publication, no warehouse file.
  EXPECT_TRUE(Pg("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'wharf_src'").empty());
  EXPECT_TRUE(Pg("SELECT 1 FROM pg_publication WHERE pubname = 'wharf_src'").empty());
  EXPECT_FALSE(fs::exists(warehouse_));
  PgRun("DROP ROLE doctor_plain");
}

}  // namespace
}  // namespace wharf::test
