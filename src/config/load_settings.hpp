#pragma once
// From the amule.conf document to typed Settings. A key that is absent, or
// whose value is invalid, takes its documented default (validate() reports
// the invalid ones), so loading never fails.
#include <string>

#include "config/ini_document.hpp"
#include "config/settings.hpp"

namespace mulenet::config {

[[nodiscard]] Settings load_settings(const IniDocument& doc);

// The raw text of a key as stored, or its documented default when absent.
// `path` is "/Section/Key"; unknown keys without a value give "".
[[nodiscard]] std::string value_or_default(const IniDocument& doc, std::string_view path);

}  // namespace mulenet::config
