// A dbt project written by the test, exercising what analysts' projects use:
// seeds (quoted fields, CRLF, inferred and configured types), views, tables,
// ephemeral models, the three incremental strategies with --full-refresh,
// snapshots with both strategies, macros with adapter.dispatch, vars, custom
// schemas, aliases, docs, and generic and singular tests. Expected rows are
// computed here from the seed rows the test writes.
#include <fstream>

#include "integration/models/models_fixture.hpp"

namespace wharf::test {
namespace {

namespace fs = std::filesystem;

// One seed row of `events`: id, account (k1), region (k2), amount, flag, day.
struct Event {
  int id;
  std::string account;
  std::string region;
  int amount_cents;
  bool flag;
  std::string day;
  int version;  // bumps when the test changes the row (the timestamp snapshot's updated_at)
};

class ModelFeatures : public ModelsTest {
 protected:
  void SetUp() override {
    ModelsTest::SetUp();
    dir_ = work_ / "shop";
    WriteProject();
    WriteProfile(dir_, "feature_shop", T("main", "analytics"));
    for (int i = 1; i <= 30; ++i) {
      events_.push_back({i, "acct" + std::to_string(i % 4), i % 2 ? "north" : "south", i * 125, i % 3 == 0,
                         "2024-01-" + std::string(i % 28 + 1 < 10 ? "0" : "") + std::to_string(i % 28 + 1), 1});
    }
    WriteEvents();
  }

  void Put(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    WriteFile(dir_ / rel, text);
  }

  void WriteEvents() {
    // CRLF line endings and quoted fields with commas and doubled quotes.
    std::string csv = "id,account,region,amount,flag,day,version,note\r\n";
    for (const auto& e : events_) {
      char amount[32];
      std::snprintf(amount, sizeof amount, "%d.%02d", e.amount_cents / 100, e.amount_cents % 100);
      csv += std::to_string(e.id) + "," + e.account + "," + e.region + "," + amount + "," + (e.flag ? "true" : "false") +
             "," + e.day + "," + std::to_string(e.version) + ",\"note, " + std::to_string(e.id) + " \"\"quoted\"\"\"\r\n";
    }
    Put("seeds/events.csv", csv);
  }

  void WriteProject() {
    Put("dbt_project.yml", R"(name: feature_shop
version: "1.0"
config-version: 2
profile: feature_shop
vars:
  batch: 1
  big_amount: 20
models:
  feature_shop:
    +materialized: view
    marts:
      +materialized: table
      +schema: marts
      +tags: ["nightly"]
seeds:
  feature_shop:
    regions:
      +column_types:
        code: varchar(10)
)");
    Put("seeds/regions.csv", "code,label,opened\nnorth,\"North, upper\",2020-05-01\nsouth,South,2021-06-30\n");
    Put("macros/money.sql", R"({% macro cents(column) -%}
  {{ return(adapter.dispatch('cents')(column)) }}
{%- endmacro %}
{% macro default__cents(column) -%}cast(round({{ column }} * 100) as bigint){%- endmacro %}
{% macro duckdb__cents(column) -%}cast(round({{ column }} * 100) as bigint){%- endmacro %}
{% macro big_label() -%}big{%- endmacro %}
)");
    Put("models/docs.md", "{% docs events_doc %}One row per event, as staged.{% enddocs %}\n");
    Put("models/staging/stg_events.sql", R"({{ config(tags=['staging']) }}
select
    id,
    account,
    region,
    {{ cents('amount') }} as amount_cents,
    flag,
    cast(day as date) as day,
    version,
    note
from {{ ref('events') }}
)");
    Put("models/staging/eph_big.sql", R"({{ config(materialized='ephemeral') }}
{%- set columns = ['id', 'account', 'amount_cents'] %}
select {% for c in columns %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ ref('stg_events') }}
where amount_cents >= {{ var('big_amount') }} * 100
)");
    Put("models/marts/account_totals.sql", R"(with per_account as (
    select account, count(*) as events, sum(amount_cents) as cents
    from {{ ref('stg_events') }}
    group by account
)
select p.account, p.events, p.cents,
       (select count(*) from {{ ref('eph_big') }} b where b.account = p.account) as big_events,
       '{{ big_label() }}' as label
from per_account p
)");
    Put("models/marts/events_append.sql", R"({{ config(materialized='incremental', alias='events_log') }}
select id, amount_cents, {{ var('batch') }} as batch
from {{ ref('stg_events') }}
{% if is_incremental() and load_relation(this) is not none and not should_full_refresh() %}
where id > (select max(id) from {{ this }})
{% endif %}
)");
    Put("models/marts/events_di.sql", R"({{ config(materialized='incremental', incremental_strategy='delete+insert',
                  unique_key=['account', 'id']) }}
select account, id, amount_cents, version, {{ var('batch') }} as batch
from {{ ref('stg_events') }}
{% if is_incremental() %}
where version > 1
{% endif %}
)");
    Put("models/marts/events_merge.sql", R"({{ config(materialized='incremental', incremental_strategy='merge',
                  unique_key='id', merge_update_columns=['amount_cents']) }}
select id, amount_cents, {{ var('batch') }} as batch
from {{ ref('stg_events') }}
{% if is_incremental() %}
where version > 1 or id > (select max(id) from {{ this }})
{% endif %}
)");
    Put("models/marts/schema.yml", R"(version: 2
models:
  - name: account_totals
    description: "Totals per account. {{ doc('events_doc') }}"
    columns:
      - name: account
        tests:
          - unique
          - not_null
  - name: events_merge
    columns:
      - name: id
        data_tests:
          - unique
          - relationships:
              arguments:
                to: ref('events_append')
                field: id
)");
    Put("models/staging/schema.yml", R"(version: 2
models:
  - name: stg_events
    description: '{{ doc("events_doc") }}'
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: region
        tests:
          - accepted_values:
              values: ['north', 'south']
          - relationships:
              to: ref('regions')
              field: code
)");
    Put("tests/assert_amounts_positive.sql", "select * from {{ ref('stg_events') }} where amount_cents <= 0\n");
    Put("snapshots/events_snap.sql", R"({% snapshot events_ts %}
{{ config(target_schema=target.schema ~ '_snap', unique_key='id', strategy='timestamp', updated_at='updated') }}
select id, amount_cents, cast('2024-01-01' as timestamp) + (interval '1 day') * version as updated
from {{ ref('stg_events') }}
{% endsnapshot %}

{% snapshot events_check %}
{{ config(target_schema=target.schema ~ '_snap', unique_key='id', strategy='check', check_cols=['amount_cents'],
          invalidate_hard_deletes=True) }}
select id, amount_cents from {{ ref('stg_events') }}
{% endsnapshot %}
)");
  }

  int TotalCents(const std::string& account) const {
    int sum = 0;
    for (const auto& e : events_) sum += e.account == account ? e.amount_cents : 0;
    return sum;
  }
  std::string S() const { return T("main", "analytics"); }      // the target schema
  std::string Marts() const { return S() + "_marts"; }           // generate_schema_name's custom schema
  std::string Snap() const { return S() + "_snap"; }

  fs::path dir_;
  std::vector<Event> events_;
};

TEST_P(ModelFeatures, BuildsEveryMaterializationAndKeepsIncrementalRowsAcrossRuns) {
  auto r = Models(dir_, "build");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& [id, status] : RunStatuses(dir_)) EXPECT_TRUE(status == "success" || status == "pass") << id;

  // Seeds: inferred types hold the values; quoted fields keep commas and quotes.
  auto note = Q("SELECT note FROM " + S() + ".events WHERE id = 7");
  EXPECT_EQ(note[0][0].value_or(""), "note, 7 \"quoted\"");
  auto region = Q("SELECT label, CAST(opened AS VARCHAR) FROM " + S() + ".regions WHERE code = 'north'");
  EXPECT_EQ(region[0][0].value_or(""), "North, upper");
  EXPECT_EQ(region[0][1].value_or(""), "2020-05-01");
  auto flags = Q("SELECT count(*) FROM " + S() + ".events WHERE flag");
  EXPECT_EQ(flags[0][0].value_or(""), "10");

  // The table in the custom schema, through a view and an ephemeral CTE.
  for (const char* account : {"acct0", "acct1", "acct2", "acct3"}) {
    int big = 0, events = 0;
    for (const auto& e : events_)
      if (e.account == account) ++events, big += e.amount_cents >= 2000;
    auto row = Q("SELECT events, cents, big_events, label FROM " + Marts() + ".account_totals WHERE account = '" +
                 account + "'");
    ASSERT_EQ(row.size(), 1u) << account;
    EXPECT_EQ(row[0][0].value_or(""), std::to_string(events));
    EXPECT_EQ(row[0][1].value_or(""), std::to_string(TotalCents(account)));
    EXPECT_EQ(row[0][2].value_or(""), std::to_string(big));
    EXPECT_EQ(row[0][3].value_or(""), "big");
  }
  // The alias names the relation.
  EXPECT_EQ(Q("SELECT count(*) FROM " + Marts() + ".events_log")[0][0].value_or(""), "30");

  // Second run: rows 31-35 are new, rows 2 and 5 change, row 30 is deleted.
  for (int i = 31; i <= 35; ++i) events_.push_back({i, "acct9", "south", 1000 + i, false, "2024-02-01", 1});
  for (auto& e : events_)
    if (e.id == 2 || e.id == 5) e.amount_cents += 7, e.version = 2;
  std::erase_if(events_, [](const Event& e) { return e.id == 30; });
  WriteEvents();
  r = Models(dir_, "build", {"--vars", "{batch: 2}"});
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // append: only ids above the old maximum were added, with the new batch.
  auto log = Q("SELECT batch, count(*), min(id), max(id) FROM " + Marts() + ".events_log GROUP BY batch ORDER BY batch");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0][1].value_or(""), "30");
  EXPECT_EQ(log[1][1].value_or(""), "5");
  EXPECT_EQ(log[1][2].value_or(""), "31");
  // delete+insert on a composite key: the changed rows were replaced, the rest kept batch 1.
  auto di = Q("SELECT id, amount_cents, batch FROM " + Marts() + ".events_di WHERE batch = 2 ORDER BY id");
  ASSERT_EQ(di.size(), 2u);
  EXPECT_EQ(di[0][0].value_or(""), "2");
  EXPECT_EQ(di[0][1].value_or(""), std::to_string(2 * 125 + 7));
  EXPECT_EQ(Q("SELECT count(*) FROM " + Marts() + ".events_di")[0][0].value_or(""), "30");
  // merge: matched rows updated only in merge_update_columns (batch stays 1), new rows inserted.
  auto merged = Q("SELECT amount_cents, batch FROM " + Marts() + ".events_merge WHERE id = 5");
  EXPECT_EQ(merged[0][0].value_or(""), std::to_string(5 * 125 + 7));
  EXPECT_EQ(merged[0][1].value_or(""), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM " + Marts() + ".events_merge WHERE batch = 2")[0][0].value_or(""), "5");

  // Snapshots: timestamp strategy closes the changed rows' versions; check
  // strategy too, and invalidates the deleted row.
  auto ts = Q("SELECT id, count(*), count(dbt_valid_to) FROM " + Snap() + ".events_ts GROUP BY id HAVING count(*) > 1 ORDER BY id");
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0][0].value_or(""), "2");
  EXPECT_EQ(ts[1][0].value_or(""), "5");
  EXPECT_EQ(ts[0][2].value_or(""), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM " + Snap() + ".events_ts WHERE dbt_valid_to IS NULL")[0][0].value_or(""), "35");
  auto closed_at = Q("SELECT CAST(dbt_valid_to AS VARCHAR) FROM " + Snap() + ".events_ts WHERE id = 2 AND dbt_valid_to IS NOT NULL");
  EXPECT_EQ(closed_at[0][0].value_or(""), "2024-01-03 00:00:00");
  EXPECT_EQ(Q("SELECT count(*) FROM " + Snap() + ".events_check WHERE dbt_valid_to IS NULL")[0][0].value_or(""), "34");
  EXPECT_EQ(Q("SELECT count(*) FROM " + Snap() + ".events_check WHERE id = 30 AND dbt_valid_to IS NOT NULL")[0][0].value_or(""), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM " + Snap() + ".events_check")[0][0].value_or(""), "37");

  // --full-refresh rebuilds the incremental models from scratch.
  r = Models(dir_, "run", {"--full-refresh", "--vars", "{\"batch\": 3}", "-s", "events_append", "events_di"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto fresh = Q("SELECT batch, count(*) FROM " + Marts() + ".events_log GROUP BY batch");
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0][0].value_or(""), "3");
  EXPECT_EQ(fresh[0][1].value_or(""), "34");
  EXPECT_EQ(Q("SELECT count(*) FROM " + Marts() + ".events_di WHERE batch = 3")[0][0].value_or(""), "34");
  // Not selected: untouched.
  EXPECT_EQ(Q("SELECT count(*) FROM " + Marts() + ".events_merge WHERE batch = 3")[0][0].value_or(""), "0");
}

TEST_P(ModelFeatures, SelectorsPickWhatDbtWould) {
  auto ls = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--output", "name"});
    auto r = Models(dir_, "ls", args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::set<std::string> names;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) names.insert(line);
    return names;
  };
  using Names = std::set<std::string>;
  EXPECT_EQ(ls({"-s", "tag:nightly", "--resource-type", "model"}),
            (Names{"account_totals", "events_append", "events_di", "events_merge"}));
  EXPECT_EQ(ls({"-s", "+account_totals", "--resource-type", "model", "seed"}),
            (Names{"account_totals", "stg_events", "eph_big", "events"}));
  EXPECT_EQ(ls({"-s", "1+account_totals", "--resource-type", "model"}), (Names{"account_totals", "stg_events", "eph_big"}));
  EXPECT_EQ(ls({"-s", "eph_big+", "--resource-type", "model"}), (Names{"eph_big", "account_totals"}));
  EXPECT_EQ(ls({"-s", "path:models/staging", "--resource-type", "model"}), (Names{"stg_events", "eph_big"}));
  EXPECT_EQ(ls({"-s", "tag:nightly,config.materialized:incremental", "--exclude", "events_di", "--resource-type", "model"}),
            (Names{"events_append", "events_merge"}));
  EXPECT_EQ(ls({"-s", "events_append events_di", "--resource-type", "model"}), (Names{"events_append", "events_di"}));
  // @: descendants and their ancestors, through tests too (the relationships test reads regions).
  EXPECT_EQ(ls({"-s", "@stg_events", "--resource-type", "seed"}), (Names{"events", "regions"}));
  // Tests come with their models (dbt's eager indirect selection).
  auto tests = ls({"-s", "account_totals", "--resource-type", "test"});
  EXPECT_EQ(tests, (Names{"not_null_account_totals_account", "unique_account_totals_account"}));
  // run with a selector builds only those.
  auto r = Models(dir_, "build", {"-s", "+stg_events", "regions"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Q("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account_totals'")[0][0].value_or(""), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM information_schema.tables WHERE table_name = 'stg_events'")[0][0].value_or(""), "1");
}

TEST_P(ModelFeatures, AFailingModelOrTestStopsOnlyWhatDependsOnIt) {
  // A SQL error in one model, a failing test on another.
  Put("models/broken.sql", "select no_such_column from {{ ref('stg_events') }}\n");
  Put("models/after_broken.sql", "select * from {{ ref('broken') }}\n");
  Put("models/regions_view.sql", "select * from {{ ref('regions') }}\n");
  Put("models/after_regions.sql", "select count(*) as n from {{ ref('regions_view') }}\n");
  Put("models/more.yml", R"(version: 2
models:
  - name: regions_view
    columns:
      - name: label
        tests:
          - accepted_values:
              values: ['South']
)");
  auto r = Models(dir_, "build");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto st = RunStatuses(dir_);
  EXPECT_EQ(st["model.feature_shop.broken"], "error");
  EXPECT_EQ(st["model.feature_shop.after_broken"], "skipped");
  EXPECT_EQ(st["model.feature_shop.regions_view"], "success");
  EXPECT_EQ(st["model.feature_shop.after_regions"], "skipped");  // its parent's test failed
  EXPECT_EQ(st["model.feature_shop.account_totals"], "success");  // independent: built
  EXPECT_NE(r.output.find("no_such_column"), std::string::npos) << r.output;  // the database's message
  EXPECT_NE(r.output.find("models/broken.sql"), std::string::npos) << r.output;
  // `run` does not run tests: after_regions is built.
  r = Models(dir_, "run", {"-s", "regions_view+"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // `test` reports the failure with its count.
  r = Models(dir_, "test", {"-s", "regions_view"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("Got 1 result"), std::string::npos) << r.output;
}

TEST_P(ModelFeatures, TemplateErrorsNameTheFileLineAndColumnAndTheRestIsBuilt) {
  Put("models/bad_syntax.sql", "select 1 as a\n{% if true %}\nfrom x\n");
  Put("models/bad_macro.sql", "select {{ no_such_macro(1) }} as a\n");
  Put("models/bad_ref.sql", "select * from {{ ref('nowhere') }}\n");
  ASSERT_EQ(Models(dir_, "seed").exit_code, 2);  // the project does not parse, but seeds load
  auto r = Models(dir_, "run");
  EXPECT_EQ(r.exit_code, 2) << r.output;  // dbt: a project that does not parse
  EXPECT_NE(r.output.find("models/bad_syntax.sql:2:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no_such_macro"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("models/bad_macro.sql:1:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'nowhere' which was not found"), std::string::npos) << r.output;
  auto st = RunStatuses(dir_);
  EXPECT_EQ(st["model.feature_shop.bad_ref"], "error");
  EXPECT_EQ(st["model.feature_shop.stg_events"], "success");
  EXPECT_EQ(st["model.feature_shop.account_totals"], "success");
}

TEST_P(ModelFeatures, ACycleIsNamedAndTheRestIsBuilt) {
  Put("models/cycle_a.sql", "select * from {{ ref('cycle_b') }}\n");
  Put("models/cycle_b.sql", "select * from {{ ref('cycle_a') }}\n");
  Models(dir_, "seed");
  auto r = Models(dir_, "run");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("Found a cycle: model.feature_shop.cycle_a --> model.feature_shop.cycle_b"), std::string::npos)
      << r.output;
  auto st = RunStatuses(dir_);
  EXPECT_EQ(st["model.feature_shop.cycle_a"], "error");
  EXPECT_EQ(st["model.feature_shop.stg_events"], "success");
}

TEST_P(ModelFeatures, CompileWritesSqlWithoutBuilding) {
  auto r = Models(dir_, "compile", {"-s", "account_totals"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string sql = ReadFile(dir_ / "target" / "compiled" / "feature_shop" / "models" / "marts" / "account_totals.sql");
  // The ephemeral model is a CTE merged into the model's own WITH.
  EXPECT_EQ(sql.rfind("with __dbt__cte__eph_big as (", 0), 0u) << sql;
  EXPECT_NE(sql.find("),\n per_account as ("), std::string::npos) << sql;
  EXPECT_EQ(sql.find("with per_account"), std::string::npos) << sql;
  EXPECT_EQ(Q("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account_totals'")[0][0].value_or(""), "0");
  auto manifest = nlohmann::json::parse(ReadFile(dir_ / "target" / "manifest.json"));
  const auto& node = manifest["nodes"]["model.feature_shop.account_totals"];
  EXPECT_EQ(node["schema"], Marts());
  EXPECT_EQ(node["config"]["materialized"], "table");
  EXPECT_EQ(node["description"], "Totals per account. One row per event, as staged.");
  EXPECT_EQ(manifest["parent_map"]["model.feature_shop.account_totals"].size(), 2u);
}

TEST_P(ModelFeatures, HooksOverridesAndStoredFailures) {
  // A project's own generate_schema_name replaces dbt's: custom schemas are used as named.
  Put("macros/schema_name.sql", R"({% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %})");
  std::string project = ReadFile(dir_ / "dbt_project.yml");
  project += R"yaml(on-run-start:
  - "create schema if not exists {{ target.schema }}"
  - "create table if not exists {{ target.schema }}.run_log (what varchar(200))"
on-run-end:
  - "insert into {{ target.schema }}.run_log values ('end ' || '{{ schemas | length > 0 }}')"
)yaml";
  Put("dbt_project.yml", project);
  Put("models/hooked.sql", R"sql({{ config(materialized='table',
    post_hook="insert into {{ target.schema }}.run_log values ('built {{ this.name }}')") }}
select count(*) as n, '{{ "%s_%03d" % ("run", 7) }}' as tag, {{ 'yes' | as_bool if false else 'true' | as_bool }} as flag
from {{ ref('feature_shop', 'stg_events') }}
)sql");
  Put("models/hooked.yml", R"(version: 2
models:
  - name: hooked
    columns:
      - name: n
        tests:
          - accepted_values:
              values: [1]
              quote: false
              config:
                store_failures: true
                severity: warn
)");
  auto r = Models(dir_, "build");
  ASSERT_EQ(r.exit_code, 0) << r.output;  // the failing test only warns
  EXPECT_NE(r.output.find("WARN=1"), std::string::npos) << r.output;
  auto row = Q("SELECT n, tag, flag FROM " + S() + ".hooked");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0].value_or(""), "30");
  EXPECT_EQ(row[0][1].value_or(""), "run_007");
  EXPECT_EQ(row[0][2].value_or(""), T("true", "t"));
  // Marts in the schema "marts" itself, through the overriding macro.
  EXPECT_EQ(Q("SELECT count(*) FROM marts.account_totals")[0][0].value_or(""), "4");
  auto log = Q("SELECT what FROM " + S() + ".run_log ORDER BY what");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0][0].value_or(""), "built hooked");
  EXPECT_EQ(log[1][0].value_or(""), "end True");
  // The failing rows of the stored test.
  auto stored = Q("SELECT value_field FROM " + S() + "_dbt_test__audit.\"accepted_values_hooked_n__False__1\"");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0][0].value_or(""), "30");
}

TEST_P(ModelFeatures, IncrementalModelsFollowSchemaChangesAsConfigured) {
  auto model = [&](const std::string& policy, const std::string& extra) {
    Put("models/marts/events_wide.sql", "{{ config(materialized='incremental', unique_key='id', on_schema_change='" +
                                            policy + "') }}\nselect id, amount_cents" + extra +
                                            "\nfrom {{ ref('stg_events') }}\n"
                                            "{% if is_incremental() %}where id > (select max(id) - 2 from {{ this }}){% endif %}\n");
  };
  model("append_new_columns", "");
  ASSERT_EQ(Models(dir_, "build").exit_code, 0);
  // A new column: added to the table, filled for the rows this run writes.
  model("append_new_columns", ", cast(id * 2 as numeric(12,2)) as doubled");
  auto r = Models(dir_, "run", {"-s", "events_wide"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rows = Q("SELECT count(*), count(doubled), max(doubled) FROM " + Marts() + ".events_wide");
  EXPECT_EQ(rows[0][0].value_or(""), "30");
  EXPECT_EQ(rows[0][1].value_or(""), "2");  // ids 29 and 30 were rewritten
  EXPECT_EQ(rows[0][2].value_or(""), "60.00");
  // With the model's own type, precision and scale included.
  auto type = Q("SELECT CAST(numeric_precision AS VARCHAR), CAST(numeric_scale AS VARCHAR) FROM information_schema.columns "
                "WHERE table_name = 'events_wide' AND column_name = 'doubled'");
  EXPECT_EQ(type[0][0].value_or(""), "12");
  EXPECT_EQ(type[0][1].value_or(""), "2");
  // fail: a changed column set stops the model and leaves the table as it was.
  model("fail", "");
  r = Models(dir_, "run", {"-s", "events_wide"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("on_schema_change is 'fail'"), std::string::npos) << r.output;
  EXPECT_EQ(Q("SELECT count(doubled) FROM " + Marts() + ".events_wide")[0][0].value_or(""), "2");
  // sync_all_columns: the dropped column goes.
  model("sync_all_columns", "");
  r = Models(dir_, "run", {"-s", "events_wide"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Q("SELECT count(*) FROM information_schema.columns WHERE table_name = 'events_wide' AND column_name = 'doubled'")[0][0]
                .value_or(""),
            "0");
}

INSTANTIATE_TEST_SUITE_P(Targets, ModelFeatures, ::testing::Values("duckdb", "postgres"), TargetName);

}  // namespace
}  // namespace wharf::test
