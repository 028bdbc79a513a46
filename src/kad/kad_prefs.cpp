#include "kad/kad_prefs.hpp"

#include <fstream>
#include <iterator>


#include "config/config_file.hpp"
#include "net/random_bytes.hpp"

namespace mulenet::kad {

std::filesystem::path preferences_kad_path_for(const std::filesystem::path& config_path)
{
  return config_path.parent_path() / "preferencesKad.dat";
}

std::optional<PreferencesKad> parse_preferences_kad(ByteView file)
{
  ed2k::WireReader r(file);
  PreferencesKad p;
  p.ip = r.u32();
  r.u16();
  p.id.wire = r.hash16();
  if (!r.ok() || p.id.is_zero()) return std::nullopt;  // aMule replaces a zero ID with a random one
  return p;
}

Bytes serialize_preferences_kad(const PreferencesKad& p)
{
  ed2k::WireWriter w;
  w.u32(p.ip);
  w.u16(0);
  w.bytes(p.id.wire);
  w.u8(0);
  return w.take();
}

KadIdentity load_or_create_identity(const std::filesystem::path& config_path, bool save)
{
  KadIdentity out;
  const auto prefs_path = preferences_kad_path_for(config_path);
  {
    std::ifstream in(prefs_path, std::ios::binary);
    Bytes bytes;
    char c = 0;
    for (int i = 0; in && i < 64 && in.get(c); ++i) bytes.push_back(static_cast<std::uint8_t>(c));
    if (const auto p = parse_preferences_kad(bytes)) out.id = p->id;
  }
  if (out.id.is_zero()) {
    if (!net::random_bytes(out.id.wire.data(), out.id.wire.size())) {
      out.error = "cannot make a random Kad node ID";
      return out;
    }
    out.created_id = true;
    const Bytes file = serialize_preferences_kad(PreferencesKad{0, out.id});
    config::FileError fe;
    if (save && !config::write_file_atomically(prefs_path, std::string(file.begin(), file.end()), fe)) {
      out.error = "cannot save the Kad node ID: " + fe.message;
      return out;
    }
  }
  // The UDP key lives in amule.conf, as aMule keeps it.
  config::FileError fe;
  auto loaded = config::read_config_file(config_path, fe);
  if (!loaded) {
    out.error = fe.message;
    return out;
  }
  if (const auto text = loaded->doc.get("Obfuscation", "CryptoKadUDPKey")) {
    std::uint64_t v = 0;
    bool digits = !text->empty() && text->size() <= 10;
    for (const char ch : *text) {
      if (ch < '0' || ch > '9') digits = false;
      else v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    if (digits && v != 0 && v <= 0xFFFFFFFFu) out.udp_key = static_cast<std::uint32_t>(v);
  }
  if (out.udp_key == 0) {
    if (!net::random_bytes(&out.udp_key, sizeof out.udp_key) || out.udp_key == 0) {
      out.error = "cannot make a random Kad UDP key";
      return out;
    }
    out.created_key = true;
    if (!save) return out;
    loaded->doc.set("Obfuscation", "CryptoKadUDPKey", std::to_string(out.udp_key));
    if (!config::write_file_atomically(config_path, loaded->doc.serialize(), fe)) {
      out.error = "cannot save the Kad UDP key in amule.conf: " + fe.message;
      return out;
    }
  }
  return out;
}

}  // namespace mulenet::kad
