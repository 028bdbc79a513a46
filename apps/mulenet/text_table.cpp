#include "text_table.hpp"

#include <algorithm>

namespace mulenet::cli {
namespace {

// Display width of UTF-8 text: count the bytes that start a code point.
std::size_t width(const std::string& s)
{
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u; }));
}

}  // namespace

void TextTable::print(std::ostream& out) const
{
  std::vector<std::size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 2, ' ');
    }
    out << line << "\n";
  };
  emit(header_);
  for (const auto& row : rows_) emit(row);
}

}  // namespace mulenet::cli
