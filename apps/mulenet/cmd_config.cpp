// mulenet config show | get KEY | set KEY VALUE: read and change amule.conf.
#include <iostream>
#include <algorithm>
#include <set>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "config/key_catalog.hpp"
#include "config/key_path_check.hpp"
#include "net/utf8.hpp"
#include "config/load_settings.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "text_table.hpp"

namespace mulenet::cli {
namespace {

struct ConfigOptions {
  bool all = false;
  std::string key;
  std::string value;
  bool value_from_stdin = false;
  bool force = false;  // set: write a key mulenet does not know
};

std::string shown_value(std::string_view key, const std::string& value)
{
  return config::is_secret_key(key) ? config::mask_secret(value) : value;
}

int run_show(const GlobalOptions& g, const ConfigOptions& o)
{
  const auto loaded = load_config(g);
  if (!loaded) return kExitFileError;
  const config::IniDocument& doc = loaded->doc;
  struct Row {
    std::string key, value, source, description;
  };
  std::vector<Row> rows;
  std::set<std::string> listed;
  for (const config::KeySpec& spec : config::known_keys()) {
    const auto kp = config::parse_key_path(spec.path);
    const auto raw = doc.get(kp->section, kp->key);
    rows.push_back({std::string(spec.path), shown_value(spec.path, raw.value_or(std::string(spec.default_value))),
                    raw ? "file" : "default", std::string(spec.description)});
    listed.insert(kp->str());
  }
  if (o.all) {
    for (const auto& entry : doc.entries()) {
      const std::string key = config::KeyPath{entry.section, entry.key}.str();
      if (config::find_key_spec(key) != nullptr || listed.contains(key)) continue;
      listed.insert(key);
      rows.push_back({key, shown_value(key, doc.get(entry.section, entry.key).value_or("")), "file", ""});
    }
  }
  const auto issues = config::validate(doc);
  if (g.json) {
    boost::json::array keys;
    for (const Row& r : rows)
      keys.push_back(boost::json::object{
          {"key", r.key}, {"value", r.value}, {"source", r.source}, {"description", r.description}});
    print_json(boost::json::object{{"path", config_path(g).string()},
                                   {"exists", loaded->exists},
                                   {"keys", keys},
                                   {"issues", to_json(issues)}});
    return kExitOk;
  }
  std::cout << "# " << config_path(g).string() << (loaded->exists ? "" : " (absent: every key is a default)") << "\n";
  TextTable table({"KEY", "VALUE", "FROM", "MEANING"});
  for (const Row& r : rows) table.add_row({r.key, r.value, r.source, r.description});
  table.print(std::cout);
  for (const config::ConfigIssue& issue : issues)
    std::cout << fmt::format("\n{}: {}\n  fix: {}\n", config::to_string(issue.severity), issue.message, issue.fix);
  return kExitOk;
}

int run_get(const GlobalOptions& g, const ConfigOptions& o)
{
  const auto kp = config::parse_key_path(o.key);
  if (!kp || o.key.front() != '/') {
    report_error(g, "bad-key", fmt::format("\"{}\" is not a key path; write it as /Section/Key, e.g. /eMule/Port", o.key));
    return kExitUsage;
  }
  const auto loaded = load_config(g);
  if (!loaded) return kExitFileError;
  const auto raw = loaded->doc.get(kp->section, kp->key);
  const config::KeySpec* spec = config::find_key_spec(o.key);
  if (!raw && spec == nullptr) {
    report_error(g, "not-found", fmt::format("{} is not set in {} and is not a key mulenet knows", kp->str(),
                                             config_path(g).string()));
    return kExitNotFound;
  }
  const std::string value = shown_value(o.key, raw ? *raw : std::string(spec->default_value));
  if (g.json) {
    print_json(boost::json::object{{"key", spec ? std::string(spec->path) : kp->str()},
                                   {"value", value},
                                   {"source", raw ? "file" : "default"},
                                   {"secret", config::is_secret_key(o.key)}});
  } else {
    std::cout << value << "\n";
  }
  return kExitOk;
}

// The key as given, when it can be shown as it is (no control characters, UTF-8).
std::string shown_key(const std::string& key)
{
  const bool plain = net::is_utf8(key) && std::none_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  return plain ? "\"" + key + "\"" : "the key given";
}

// A typo (/eMule/Prot) would be written beside the real key and ignored by
// aMule: a key mulenet does not know is written only with --force.
bool refuse_unknown_key(const GlobalOptions& g, const ConfigOptions& o)
{
  if (o.force || config::find_key_spec(o.key) != nullptr) return false;
  const auto near = config::nearest_known_key(o.key);
  report_error(g, "unknown-key",
               fmt::format("{} is not a key mulenet knows{}; nothing was written. To write it anyway (an aMule key that "
                           "mulenet does not check), add --force",
                           o.key, near ? ": did you mean " + *near + "?" : ""));
  return true;
}

int run_set(const GlobalOptions& g, ConfigOptions o)
{
  const auto problem = config::key_path_problem(o.key);
  const auto kp = config::parse_key_path(o.key);
  if (problem || !kp || kp->section.empty()) {
    report_error(g, "bad-key",
                 fmt::format("{} cannot be written to amule.conf: {}. Write it as /Section/Key, e.g. /eMule/Port",
                             shown_key(o.key), problem.value_or("it is not a key path")));
    return kExitUsage;
  }
  if (refuse_unknown_key(g, o)) return kExitConfigInvalid;
  if (o.value_from_stdin) {
    if (!std::getline(std::cin, o.value)) o.value.clear();
    if (!o.value.empty() && o.value.back() == '\r') o.value.pop_back();
  }
  auto loaded = load_config(g);
  if (!loaded) return kExitFileError;
  const config::KeySpec* spec = config::find_key_spec(o.key);
  // Write the name as the catalog spells it when the key is new.
  const config::KeyPath target = spec ? *config::parse_key_path(spec->path) : *kp;
  const auto before_issues = config::validate(loaded->doc);
  const auto old_value = loaded->doc.get(target.section, target.key);

  config::IniDocument after = loaded->doc;
  const bool changed = after.set(target.section, target.key, o.value);
  std::set<std::string> known_before;
  for (const auto& i : before_issues) known_before.insert(i.message);
  std::vector<config::ConfigIssue> introduced;
  for (const auto& i : config::validate(after)) {
    if (i.severity != config::ConfigIssue::Severity::error) continue;
    if (config::names_equal(i.key, target.str()) || !known_before.contains(i.message)) introduced.push_back(i);
  }
  if (!introduced.empty()) {
    report_config_errors(g, fmt::format("not changed: {} = \"{}\" would make {} invalid:", target.str(),
                                        shown_value(target.str(), o.value), config_path(g).string()),
                         introduced);
    return kExitConfigInvalid;
  }
  if (changed || !loaded->exists) {
    config::FileError error;
    if (!config::write_file_atomically(config_path(g), after.serialize(), error)) {
      report_error(g, "config-unwritable", error.message);
      return kExitFileError;
    }
  }
  if (spec == nullptr && !g.json)
    std::cerr << fmt::format("note: {} is not a key mulenet knows; it was written as given.\n", target.str());
  const std::string shown_new = shown_value(target.str(), o.value);
  if (g.json) {
    boost::json::object out{{"key", target.str()}, {"value", shown_new}, {"changed", changed},
                            {"path", config_path(g).string()}, {"known", spec != nullptr}};
    out["previous"] = old_value ? boost::json::value(shown_value(target.str(), *old_value)) : boost::json::value();
    print_json(out);
  } else if (changed) {
    std::cout << fmt::format("{} = {} (was {}) in {}\n", target.str(), shown_new,
                             old_value ? shown_value(target.str(), *old_value) : "unset", config_path(g).string());
  } else {
    std::cout << fmt::format("{} is already {}; {} unchanged\n", target.str(), shown_new, config_path(g).string());
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> make_config_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<ConfigOptions>();
  CLI::App* config = root.add_subcommand("config", "Show, read or change amule.conf (keys written /Section/Key)");
  config->require_subcommand(1);
  add_global_options(*config, g);
  config->footer(
      "Keys are written /Section/Key as in amule.conf, e.g. /eMule/Port or /Proxy/ProxyType.\n"
      "Writes keep every other line of the file byte for byte, are atomic, and leave the file mode 0600.\n\n"
      "Examples:\n"
      "  mulenet config show                       the keys mulenet uses, with defaults filled in\n"
      "  mulenet config get /eMule/Port\n"
      "  mulenet config set /eMule/Port 4811       refused, with the reason, if the result is invalid\n"
      "  mulenet config set /eMule/MaxUpload 50 --force   an aMule key mulenet does not know\n"
      "  echo secret | mulenet config set /Proxy/ProxyPassword --stdin");

  CLI::App* show = config->add_subcommand("show", "List the keys mulenet uses, their values and defaults");
  add_global_options(*show, g);
  show->add_flag("--all", o->all, "also list every other key of the file");
  show->footer("Passwords are shown as ******** (or empty when unset); they are never printed.");

  CLI::App* get = config->add_subcommand("get", "Print one key's value (its default when absent)");
  add_global_options(*get, g);
  get->add_option("KEY", o->key, "/Section/Key, e.g. /eMule/Port")->required();
  get->footer("Exit code 5 when the key is neither in the file nor known to mulenet. Passwords stay masked.");

  CLI::App* set = config->add_subcommand("set", "Change one key, after checking that the result is valid");
  add_global_options(*set, g);
  set->add_option("KEY", o->key, "/Section/Key, e.g. /eMule/Port")->required();
  CLI::Option* value = set->add_option("VALUE", o->value, "the new value (may be empty: \"\")");
  set->add_flag("--force", o->force, "write a key mulenet does not know (it is checked for typos otherwise)");
  set->add_flag("--stdin", o->value_from_stdin, "read the value from the first line of standard input "
                                                "(keeps passwords out of the process list and shell history)");
  set->footer("Exit code 3 when the value would make the configuration invalid, or the key is not one mulenet\n"
              "knows (it suggests the nearest: a typo would be ignored by aMule; --force writes it anyway);\n"
              "exit code 64 for a key that cannot be written to amule.conf at all. Nothing is written then.");

  return {{show, [&g, o] { return run_show(g, *o); }},
          {get, [&g, o] { return run_get(g, *o); }},
          {set, [&g, o, value] {
             if (value->count() == 0 && !o->value_from_stdin) {
               report_error(g, "usage", "config set needs a VALUE (or --stdin); for an empty value write \"\"");
               return kExitUsage;
             }
             return run_set(g, *o);
           }}};
}

}  // namespace mulenet::cli
