// wharf: PostgreSQL change data capture into an analytics warehouse.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/config_loader.hpp"
#include "cli/models_cmd.hpp"
#include "core/error.hpp"
#include "core/log_setup.hpp"

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  using namespace wharf;
  CLI::App app{"wharf: PostgreSQL change data capture into an analytics warehouse"};
  app.require_subcommand(1);
  app.fallthrough();  // --log-level also after the subcommand
  std::string config_path = "wharf.yaml";
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();
  // One line per event for log shippers; WHARF_LOG_FORMAT for a systemd unit's Environment=.
  std::string log_format = std::getenv("WHARF_LOG_FORMAT") ? std::getenv("WHARF_LOG_FORMAT") : "text";
  app.add_option("--log-format", log_format, "text, keyvalue or json")->capture_default_str();

  bool once = false;
  auto* run = app.add_subcommand("run", "full load where needed, then stream, stage and load changes");
  auto* capture = app.add_subcommand("capture", "source to staging only");
  auto* load = app.add_subcommand("load", "staging to warehouse only");
  for (auto* c : {run, capture, load}) {
    c->add_option("-c,--config", config_path, "configuration file")->capture_default_str();
    c->add_flag("--once", once, "stop after everything committed before start is loaded");
  }
  auto* validate = app.add_subcommand("validate", "compare source and warehouse row by row");
  std::optional<std::string> table;
  bool json = false;
  validate->add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  validate->add_option("--table", table, "check one table (schema.table)");
  validate->add_flag("--json", json, "machine-readable output");
  auto* status = app.add_subcommand("status", "batches staged and applied, rows per table");
  status->add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  status->add_flag("--json", json, "machine-readable output");

  auto* resync = app.add_subcommand("resync", "copy one table again while the others keep streaming");
  std::string resync_table;
  resync->add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  resync->add_option("--table", resync_table, "the table to copy again (schema.table)")->required();

  auto* replay = app.add_subcommand("replay", "rebuild a new warehouse from the kept staged batches");
  std::optional<std::string> replay_target;
  replay->add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  replay->add_option("--target-path", replay_target,
                     "the warehouse to build (default: target.path); must hold no batches yet");

  auto* init = app.add_subcommand("init", "write a starter wharf.yaml from what a source database holds");
  std::string init_dsn, init_output = "wharf.yaml";
  bool init_force = false;
  init->add_option("--source", init_dsn, "the source database (postgres://... or key=value)")->required();
  init->add_option("-o,--output", init_output, "the file to write")->capture_default_str();
  init->add_flag("--force", init_force, "replace an existing file");
  auto* doctor = app.add_subcommand("doctor", "check every prerequisite and print the fix for each failure");
  doctor->add_option("-c,--config", config_path, "configuration file")->capture_default_str();

  // wharf models <command>: dbt's commands and flags.
  auto* models = app.add_subcommand("models", "build a dbt project's models, seeds, snapshots and tests");
  models->require_subcommand(1);
  pipeline::ModelsArgs margs;
  std::optional<std::string> models_config;
  std::vector<CLI::App*> model_commands;
  for (const char* name : {"run", "test", "seed", "snapshot", "build", "compile", "ls", "show"}) {
    auto* c = models->add_subcommand(name, std::string("dbt ") + name);
    c->add_option("-c,--config", models_config, "wharf.yaml: the project and warehouse default to its models and target");
    c->add_option("--project-dir", margs.project_dir, "the dbt project (default: the current directory)");
    c->add_option("--profiles-dir", margs.profiles_dir, "where profiles.yml is (default: dbt's lookup)");
    c->add_option("-t,--target", margs.target, "the profile output to use");
    c->add_option("-s,--select,-m,--models", margs.select, "dbt node selectors")->expected(1, -1);
    c->add_option("--exclude", margs.exclude, "dbt node selectors to leave out")->expected(1, -1);
    c->add_option("--vars", margs.vars, "YAML or JSON dict of variables");
    c->add_flag("--full-refresh", margs.full_refresh, "rebuild incremental models and seeds from scratch");
    c->add_flag("-x,--fail-fast", margs.fail_fast, "stop at the first failure");
    c->add_flag("--store-failures", margs.store_failures, "keep failing test rows in <schema>_dbt_test__audit");
    if (std::string(name) == "ls") {
      c->add_option("--resource-type,--resource-types", margs.resource_types, "model, seed, snapshot, test, source")
          ->expected(1, -1);
      c->add_option("-o,--output", margs.output, "selector, name, path or json");
    }
    if (std::string(name) == "show") {
      c->add_option("--limit", margs.limit, "rows to print")->capture_default_str();
      c->add_option("--inline", margs.inline_sql, "a query to preview instead of a model");
    }
    model_commands.push_back(c);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    core::SetupLogging(core::ParseLogFormat(log_format), spdlog::level::from_str(log_level));
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.Describe().c_str());
    return 2;
  }
  cli::InstallSignalHandlers();
  try {
    if (*init) return cli::Init(init_dsn, init_output, init_force);
    if (*models) {
      for (auto* c : model_commands)
        if (*c) margs.command = c->get_name();
      std::optional<core::Config> config;
      if (models_config) config = cli::LoadConfig(*models_config);
      return cli::Models(margs, config ? &*config : nullptr);
    }
    auto config = cli::LoadConfig(config_path);
    if (*run) return cli::RunPipeline(config, once, pipeline::Stages::kAll);
    if (*capture) return cli::RunPipeline(config, once, pipeline::Stages::kCaptureOnly);
    if (*load) return cli::RunPipeline(config, once, pipeline::Stages::kLoadOnly);
    if (*validate) return cli::Validate(config, table, json);
    if (*status) return cli::Status(config, json);
    if (*resync) return cli::Resync(config, resync_table);
    if (*replay) return cli::Replay(config, replay_target);
    if (*doctor) return cli::Doctor(config);
  } catch (const Error& e) {
    spdlog::error("{}", e.Describe());
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return 2;
  }
  return 0;
}
