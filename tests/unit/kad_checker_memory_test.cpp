// The memory of earlier Kad checks (kad/checker_memory.hpp): the JSON file
// next to amule.conf, its bounds, its corrupt forms (a note, never fatal),
// and saves by several runs at once (merged under a lock, mode 0600).
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "kad/checker_memory.hpp"

using namespace mulenet::kad;

namespace {

constexpr UnixSeconds kT0 = 1'700'000'000;  // November 2023: inside the range the file can hold

struct TempDir {
  std::filesystem::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/mulenet-kadmem-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void write_text(const std::filesystem::path& path, const std::string& text)
{
  std::ofstream(path, std::ios::binary) << text;
}

bool same(const PeerNotes& a, const PeerNotes& b)
{
  return a.udp_exchange == b.udp_exchange && a.tcp_check == b.tcp_check && a.udp_check == b.udp_check &&
         a.hello == b.hello && (!a.tcp_check || a.tcp_outcome == b.tcp_outcome) &&
         (!a.udp_check || a.udp_outcome == b.udp_outcome);
}

bool same(const CheckerMemory& a, const CheckerMemory& b)
{
  if (a.nodes_dat_written != b.nodes_dat_written || a.peers.size() != b.peers.size()) return false;
  for (const auto& [ip, notes] : a.peers) {
    const auto it = b.peers.find(ip);
    if (it == b.peers.end() || !same(notes, it->second)) return false;
  }
  return true;
}

// A file of one version-1 list of peers, each entry given as JSON text.
std::string file_with(const std::vector<std::string>& entries)
{
  std::string text = R"({"version":1,"peers":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) text += (i == 0 ? "" : ",") + entries[i];
  return text + "]}";
}

CheckerMemory sample()
{
  CheckerMemory m;
  m.note_udp_exchange(0x01020304u, kT0 + 1);
  m.note_tcp_check(0x01020304u, kT0 + 2, TcpCheckOutcome::acked);
  m.note_udp_check(0x01020304u, kT0 + 3, UdpCheckOutcome::declined);
  m.note_hello(0x01020304u, kT0 + 4);
  m.note_tcp_check(0x0A000001u, kT0 + 10, TcpCheckOutcome::no_ack);
  m.note_udp_check(0x0A000002u, kT0 + 20, UdpCheckOutcome::arrived);
  m.note_tcp_check(0x0A000003u, kT0 + 30, TcpCheckOutcome::silent);
  m.note_udp_check(0x0A000003u, kT0 + 31, UdpCheckOutcome::silent);
  m.note_hello(0xFFFFFFFFu, kT0 + 40);
  m.nodes_dat_written = kT0 - 100;
  return m;
}

// The one note of a text that is ignored as a whole.
void expect_ignored_with_note(const std::string& text)
{
  ParsedMemory parsed;
  EXPECT_NO_THROW(parsed = parse_checker_memory(text)) << text;
  EXPECT_TRUE(parsed.memory.peers.empty()) << text;
  ASSERT_EQ(parsed.notes.size(), 1u) << text;
  EXPECT_FALSE(parsed.notes[0].empty());
}

// An entry that is skipped, beside a good one: one note that counts it.
void expect_entry_skipped(const std::string& entry)
{
  ParsedMemory parsed;
  EXPECT_NO_THROW(parsed = parse_checker_memory(file_with({entry, R"({"ip":"9.9.9.9","hello":1700000000})"})))
      << entry;
  ASSERT_EQ(parsed.memory.peers.size(), 1u) << entry;
  EXPECT_TRUE(parsed.memory.peers.contains(0x09090909u)) << entry;
  ASSERT_EQ(parsed.notes.size(), 1u) << entry;
  EXPECT_NE(parsed.notes[0].find("1 malformed"), std::string::npos) << parsed.notes[0];
}

}  // namespace

TEST(KadCheckerMemory, RoundTripKeepsEveryNote)
{
  const CheckerMemory m = sample();
  const std::string text = serialize_checker_memory(m);
  const ParsedMemory back = parse_checker_memory(text);
  EXPECT_TRUE(back.notes.empty());
  EXPECT_TRUE(same(back.memory, m)) << text;
  EXPECT_EQ(serialize_checker_memory(back.memory), text);
}

TEST(KadCheckerMemory, AddressesAreWrittenDottedInKadOrder)
{
  CheckerMemory m;
  m.note_hello(0x01020304u, kT0);
  const std::string text = serialize_checker_memory(m);
  EXPECT_NE(text.find(R"("ip":"1.2.3.4")"), std::string::npos) << text;
}

TEST(KadCheckerMemory, OutcomeNamesReadBack)
{
  for (const auto o : {TcpCheckOutcome::acked, TcpCheckOutcome::no_ack, TcpCheckOutcome::silent})
    EXPECT_EQ(parse_tcp_outcome(to_string(o)), o);
  for (const auto o : {UdpCheckOutcome::arrived, UdpCheckOutcome::declined, UdpCheckOutcome::silent})
    EXPECT_EQ(parse_udp_outcome(to_string(o)), o);
  EXPECT_EQ(parse_tcp_outcome("ACKED"), std::nullopt);
  EXPECT_EQ(parse_udp_outcome(""), std::nullopt);
}

TEST(KadCheckerMemory, NotJsonIsIgnoredWithNote)
{
  expect_ignored_with_note("");
  expect_ignored_with_note(std::string("\x00\xffnot json", 10));
  expect_ignored_with_note(R"({"version":1,"peers":[)");
  expect_ignored_with_note(R"({"version":1,"peers":[]} trailing)");
  expect_ignored_with_note(std::string(200, '['));  // deeper than the parser goes
}

TEST(KadCheckerMemory, NotAnObjectIsIgnoredWithNote)
{
  expect_ignored_with_note("[]");
  expect_ignored_with_note(R"([{"version":1,"peers":[]}])");
  expect_ignored_with_note("42");
  expect_ignored_with_note(R"("text")");
  expect_ignored_with_note("null");
}

TEST(KadCheckerMemory, WrongVersionIsIgnoredWithNote)
{
  const std::string peers = R"("peers":[{"ip":"1.2.3.4","hello":1700000000}])";
  expect_ignored_with_note("{" + peers + "}");
  expect_ignored_with_note(R"({"version":2,)" + peers + "}");
  expect_ignored_with_note(R"({"version":0,)" + peers + "}");
  expect_ignored_with_note(R"({"version":"1",)" + peers + "}");
  expect_ignored_with_note(R"({"version":1.5,)" + peers + "}");
  expect_ignored_with_note(R"({"version":null,)" + peers + "}");
}

TEST(KadCheckerMemory, MissingListOfPeersIsIgnoredWithNote)
{
  expect_ignored_with_note(R"({"version":1})");
  expect_ignored_with_note(R"({"version":1,"peers":{"ip":"1.2.3.4","hello":1700000000}})");
  expect_ignored_with_note(R"({"version":1,"peers":"1.2.3.4"})");
}

TEST(KadCheckerMemory, EntriesWithBadAddressesAreSkippedWithNote)
{
  for (const std::string ip : {R"("1.2.3")", R"("0.0.0.0")", R"("256.1.1.1")", R"("::1")", R"("1.2.3.4.5")",
                               R"("01.2.3.4")", R"(" 1.2.3.4")", R"("host.example")", R"("")", "16909060", "null"})
    expect_entry_skipped(R"({"ip":)" + ip + R"(,"hello":1700000000})");
  expect_entry_skipped(R"({"hello":1700000000})");
}

TEST(KadCheckerMemory, EntriesThatAreNotObjectsAreSkippedWithNote)
{
  expect_entry_skipped("7");
  expect_entry_skipped(R"("1.2.3.4")");
  expect_entry_skipped("[]");
  expect_entry_skipped("null");
}

TEST(KadCheckerMemory, EntryWithoutAnyTimeInRangeIsSkippedWithNote)
{
  expect_entry_skipped(R"({"ip":"1.2.3.4"})");
  expect_entry_skipped(R"({"ip":"1.2.3.4","hello":12})");
  expect_entry_skipped(R"({"ip":"1.2.3.4","hello":-1700000000})");
  expect_entry_skipped(R"({"ip":"1.2.3.4","udp_exchange":978307199})");   // before 2001
  expect_entry_skipped(R"({"ip":"1.2.3.4","udp_exchange":4102444801})");  // after 2100
  expect_entry_skipped(R"({"ip":"1.2.3.4","udp_exchange":18446744073709551615})");
  expect_entry_skipped(R"({"ip":"1.2.3.4","udp_exchange":"1700000000"})");
  expect_entry_skipped(R"({"ip":"1.2.3.4","udp_exchange":1.7e9})");
  expect_entry_skipped(R"({"ip":"1.2.3.4","tcp_check":5,"tcp_outcome":"acked"})");
}

TEST(KadCheckerMemory, TimesAtTheEdgesOfTheRangeAreKept)
{
  const ParsedMemory parsed = parse_checker_memory(
      file_with({R"({"ip":"1.1.1.1","hello":978307200})", R"({"ip":"2.2.2.2","hello":4102444800})"}));
  EXPECT_TRUE(parsed.notes.empty());
  EXPECT_EQ(parsed.memory.peers.size(), 2u);
}

// A check without an outcome we understand keeps its time (what decides who
// is fit), with the outcome that claims least, and a note.
void expect_check_kept_as_silent(const std::string& entry)
{
  ParsedMemory parsed;
  EXPECT_NO_THROW(parsed = parse_checker_memory(file_with({entry}))) << entry;
  ASSERT_EQ(parsed.memory.peers.size(), 1u) << entry;
  const PeerNotes& p = parsed.memory.peers.begin()->second;
  EXPECT_TRUE(p.last_check().has_value()) << entry;
  if (p.tcp_check) {
    EXPECT_EQ(p.tcp_outcome, TcpCheckOutcome::silent) << entry;
  }
  if (p.udp_check) {
    EXPECT_EQ(p.udp_outcome, UdpCheckOutcome::silent) << entry;
  }
  ASSERT_EQ(parsed.notes.size(), 1u) << entry;
  EXPECT_NE(parsed.notes[0].find("not understood"), std::string::npos) << parsed.notes[0];
}

TEST(KadCheckerMemory, CheckWithoutItsOutcomeKeepsItsTimeWithNote)
{
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","tcp_check":1700000000})");
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","udp_check":1700000000})");
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","tcp_check":1700000000,"tcp_outcome":null})");
  // The outcome of the other test does not stand in for it.
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","tcp_check":1700000000,"udp_outcome":"silent"})");
}

TEST(KadCheckerMemory, UnknownOutcomeKeepsTheCheckTimeWithNote)
{
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","tcp_check":1700000000,"tcp_outcome":"maybe"})");
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","tcp_check":1700000000,"tcp_outcome":"ACKED"})");
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","tcp_check":1700000000,"tcp_outcome":"arrived"})");
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","udp_check":1700000000,"udp_outcome":"acked"})");
  expect_check_kept_as_silent(R"({"ip":"1.2.3.4","udp_check":1700000000,"udp_outcome":1})");
}

TEST(KadCheckerMemory, SeveralBadEntriesGiveOneNoteThatCountsThem)
{
  const ParsedMemory parsed = parse_checker_memory(
      file_with({"1", R"({"ip":"1.2.3"})", R"({"ip":"1.2.3.4.5","tcp_check":1700000000})",
                 R"({"ip":"5.6.7.8","udp_exchange":1700000000})"}));
  EXPECT_EQ(parsed.memory.peers.size(), 1u);
  ASSERT_EQ(parsed.notes.size(), 1u);
  EXPECT_NE(parsed.notes[0].find("3 malformed"), std::string::npos) << parsed.notes[0];
}

TEST(KadCheckerMemory, DuplicatesOfOneAddressAreMergedLaterTimeWins)
{
  const ParsedMemory parsed = parse_checker_memory(file_with({
      R"({"ip":"1.2.3.4","udp_exchange":1700000010,"tcp_check":1700000005,"tcp_outcome":"acked"})",
      R"({"ip":"1.2.3.4","udp_exchange":1700000000,"tcp_check":1700000020,"tcp_outcome":"no-ack","hello":1700000001})",
      R"({"ip":"1.2.3.4","udp_check":1700000003,"udp_outcome":"arrived"})",
      R"({"ip":"1.2.3.4","udp_check":1700000002,"udp_outcome":"declined"})",
  }));
  ASSERT_EQ(parsed.memory.peers.size(), 1u);
  const PeerNotes& p = parsed.memory.peers.at(0x01020304u);
  EXPECT_EQ(p.udp_exchange, kT0 + 10);
  EXPECT_EQ(p.tcp_check, kT0 + 20);
  EXPECT_EQ(p.tcp_outcome, TcpCheckOutcome::no_ack);  // with its time
  EXPECT_EQ(p.udp_check, kT0 + 3);
  EXPECT_EQ(p.udp_outcome, UdpCheckOutcome::arrived);
  EXPECT_EQ(p.hello, kT0 + 1);
}

TEST(KadCheckerMemory, NodesDatTimeReadsBackAndOutOfRangeIsDropped)
{
  EXPECT_EQ(parse_checker_memory(R"({"version":1,"peers":[],"nodes_dat_written":1700000000})").memory.nodes_dat_written,
            kT0);
  EXPECT_EQ(parse_checker_memory(R"({"version":1,"peers":[],"nodes_dat_written":3})").memory.nodes_dat_written,
            std::nullopt);
}

// Whatever in the file is corrupt is ignored with a note: a bad time beside a
// good one too (the entry is kept without it).
TEST(KadCheckerMemory, BadTimeBesideAGoodOneGetsANote)
{
  const ParsedMemory parsed =
      parse_checker_memory(file_with({R"({"ip":"1.2.3.4","hello":1700000000,"udp_exchange":12})"}));
  EXPECT_EQ(parsed.memory.peers.size(), 1u);
  EXPECT_EQ(parsed.notes.size(), 1u);
}

// An address with a NUL byte and junk after it is corrupt (make_address_v4
// alone would read up to the NUL and take it as 1.2.3.4).
TEST(KadCheckerMemory, AddressWithNulByteIsSkippedWithNote)
{
  expect_entry_skipped(R"({"ip":"1.2.3.4\u0000junk","hello":1700000000})");
}

// A file the note calls ignored is ignored as a whole, nodes_dat_written too.
TEST(KadCheckerMemory, FileWithoutPeerListIsIgnoredAsAWhole)
{
  const ParsedMemory parsed = parse_checker_memory(R"({"version":1,"nodes_dat_written":1700000000})");
  EXPECT_EQ(parsed.notes.size(), 1u);
  EXPECT_EQ(parsed.memory.nodes_dat_written, std::nullopt);
}

TEST(KadCheckerMemory, MergeKeepsTheLaterTimeOfEachNoteWithItsOutcome)
{
  CheckerMemory into;
  into.note_udp_exchange(1u, kT0 + 50);
  into.note_tcp_check(1u, kT0 + 40, TcpCheckOutcome::acked);
  into.note_udp_check(1u, kT0 + 10, UdpCheckOutcome::declined);
  into.nodes_dat_written = kT0;
  CheckerMemory from;
  from.note_udp_exchange(1u, kT0 + 20);
  from.note_tcp_check(1u, kT0 + 30, TcpCheckOutcome::no_ack);
  from.note_udp_check(1u, kT0 + 60, UdpCheckOutcome::arrived);
  from.note_hello(1u, kT0 + 5);
  from.note_hello(2u, kT0 + 7);
  from.nodes_dat_written = kT0 + 1;
  merge_memory(into, from);
  ASSERT_EQ(into.peers.size(), 2u);
  const PeerNotes& p = into.peers.at(1u);
  EXPECT_EQ(p.udp_exchange, kT0 + 50);
  EXPECT_EQ(p.tcp_check, kT0 + 40);
  EXPECT_EQ(p.tcp_outcome, TcpCheckOutcome::acked);
  EXPECT_EQ(p.udp_check, kT0 + 60);
  EXPECT_EQ(p.udp_outcome, UdpCheckOutcome::arrived);
  EXPECT_EQ(p.hello, kT0 + 5);
  EXPECT_EQ(into.peers.at(2u).hello, kT0 + 7);
  EXPECT_EQ(into.nodes_dat_written, kT0 + 1);
}

TEST(KadCheckerMemory, LatestAndLastCheckOfANode)
{
  PeerNotes p;
  EXPECT_EQ(p.last_check(), std::nullopt);
  p.hello = kT0 + 9;
  p.tcp_check = kT0 + 3;
  EXPECT_EQ(p.last_check(), kT0 + 3);
  p.udp_check = kT0 + 5;
  EXPECT_EQ(p.last_check(), kT0 + 5);
  EXPECT_EQ(p.latest(), kT0 + 9);
}

TEST(KadCheckerMemory, PruneKeepsTheMostRecentPeers)
{
  CheckerMemory m;
  const std::size_t extra = 10;
  for (std::uint32_t i = 0; i < kMaxRememberedPeers + extra; ++i)
    m.note_udp_exchange(0x0A000000u + i, kT0 + static_cast<UnixSeconds>(i));
  prune_memory(m, kT0 + 100'000);
  ASSERT_EQ(m.peers.size(), kMaxRememberedPeers);
  for (std::uint32_t i = 0; i < extra; ++i) EXPECT_FALSE(m.peers.contains(0x0A000000u + i)) << i;
  EXPECT_TRUE(m.peers.contains(0x0A000000u + extra));
  EXPECT_TRUE(m.peers.contains(0x0A000000u + kMaxRememberedPeers + extra - 1));
}

TEST(KadCheckerMemory, PruneTiesAreBrokenByAddress)
{
  CheckerMemory m;
  for (std::uint32_t ip : {5u, 3u, 9u, 1u}) m.note_hello(ip, kT0);
  prune_memory(m, kT0, kMemoryMaxAge, 2);
  ASSERT_EQ(m.peers.size(), 2u);
  EXPECT_TRUE(m.peers.contains(1u));
  EXPECT_TRUE(m.peers.contains(3u));
}

TEST(KadCheckerMemory, PruneDropsNotesOlderThanMaxAge)
{
  const UnixSeconds now = kT0 + 30 * 24 * 3600;
  CheckerMemory m;
  m.note_hello(1u, now - kMemoryMaxAge - 1);  // only an old note: the node goes
  m.note_hello(2u, now - kMemoryMaxAge - 1);  // an old note beside a recent one: the note goes
  m.note_udp_exchange(2u, now - 60);
  m.note_tcp_check(3u, now - kMemoryMaxAge, TcpCheckOutcome::acked);  // exactly the max age: kept
  prune_memory(m, now);
  EXPECT_FALSE(m.peers.contains(1u));
  ASSERT_TRUE(m.peers.contains(2u));
  EXPECT_EQ(m.peers.at(2u).hello, std::nullopt);
  EXPECT_EQ(m.peers.at(2u).udp_exchange, now - 60);
  ASSERT_TRUE(m.peers.contains(3u));
  EXPECT_EQ(m.peers.at(3u).tcp_check, now - kMemoryMaxAge);
}

TEST(KadCheckerMemory, ParseOfTooManyPeersKeepsTheMostRecentWithNote)
{
  const UnixSeconds now = unix_now();
  std::vector<std::string> entries;
  for (std::uint32_t i = 0; i < kMaxRememberedPeers + 5; ++i)
    entries.push_back(R"({"ip":"10.0.)" + std::to_string(i / 256) + "." + std::to_string(i % 256) +
                      R"(","udp_exchange":)" + std::to_string(now - 3600 - static_cast<UnixSeconds>(i)) + "}");
  const ParsedMemory parsed = parse_checker_memory(file_with(entries));
  EXPECT_EQ(parsed.memory.peers.size(), kMaxRememberedPeers);
  EXPECT_TRUE(parsed.memory.peers.contains(0x0A000001u));                 // among the most recent
  EXPECT_FALSE(parsed.memory.peers.contains(0x0A000000u + 2048u + 4u));  // the oldest
  ASSERT_EQ(parsed.notes.size(), 1u);
  EXPECT_NE(parsed.notes[0].find("too many"), std::string::npos) << parsed.notes[0];
}

TEST(KadCheckerMemory, PathIsNextToAmuleConf)
{
  EXPECT_EQ(checker_memory_path("/home/u/.aMule/amule.conf"), "/home/u/.aMule/mulenet-kad-memory.json");
  EXPECT_EQ(checker_memory_path("amule.conf"), "./mulenet-kad-memory.json");
}

TEST(KadCheckerMemory, LoadOfMissingFileIsEmptyWithoutNote)
{
  TempDir dir;
  const ParsedMemory loaded = load_checker_memory(dir.path / "mulenet-kad-memory.json");
  EXPECT_TRUE(loaded.memory.peers.empty());
  EXPECT_TRUE(loaded.notes.empty());
}

TEST(KadCheckerMemory, LoadOfDirectoryGivesNote)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  std::filesystem::create_directory(path);
  ParsedMemory loaded;
  EXPECT_NO_THROW(loaded = load_checker_memory(path));
  EXPECT_TRUE(loaded.memory.peers.empty());
  ASSERT_EQ(loaded.notes.size(), 1u);
  EXPECT_NE(loaded.notes[0].find(path.string()), std::string::npos) << loaded.notes[0];
}

TEST(KadCheckerMemory, LoadOfCorruptFileGivesNoteNamingThePath)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  write_text(path, std::string("\x00\xffnot json", 10));
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_TRUE(loaded.memory.peers.empty());
  ASSERT_EQ(loaded.notes.size(), 1u);
  EXPECT_NE(loaded.notes[0].find("not valid JSON"), std::string::npos) << loaded.notes[0];
  EXPECT_NE(loaded.notes[0].find(path.string()), std::string::npos) << loaded.notes[0];
}

TEST(KadCheckerMemory, FileLargerThanTheLimitIsIgnoredWithNote)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  // Valid JSON, but too large: whitespace after the object fills it up.
  std::string text = serialize_checker_memory(sample());
  text.resize(kMaxMemoryBytes + 1, ' ');
  write_text(path, text);
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_TRUE(loaded.memory.peers.empty());
  ASSERT_EQ(loaded.notes.size(), 1u);
  EXPECT_NE(loaded.notes[0].find("larger"), std::string::npos) << loaded.notes[0];
  // One byte less is read.
  text.resize(kMaxMemoryBytes);
  write_text(path, text);
  EXPECT_TRUE(load_checker_memory(path).notes.empty());
}

TEST(KadCheckerMemory, SaveWritesAPrivateFileThatLoadsBack)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  std::string error;
  ASSERT_TRUE(save_checker_memory(path, sample(), kT0 + 100, error)) << error;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_TRUE(loaded.notes.empty());
  EXPECT_TRUE(same(loaded.memory, sample()));
}

TEST(KadCheckerMemory, SaveMergesWithAnotherRunsNotes)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  CheckerMemory first;
  first.note_hello(1u, kT0 + 1);
  first.note_tcp_check(2u, kT0 + 100, TcpCheckOutcome::acked);
  first.note_udp_check(2u, kT0 + 50, UdpCheckOutcome::silent);
  first.note_udp_exchange(2u, kT0 + 90);
  CheckerMemory second;  // another run, which read the file before the first wrote it
  second.note_hello(3u, kT0 + 3);
  second.note_tcp_check(2u, kT0 + 80, TcpCheckOutcome::no_ack);   // older: the file's stays
  second.note_udp_check(2u, kT0 + 60, UdpCheckOutcome::arrived);  // newer: ours wins, with its outcome
  second.note_udp_exchange(2u, kT0 + 95);
  std::string error;
  ASSERT_TRUE(save_checker_memory(path, first, kT0 + 200, error)) << error;
  ASSERT_TRUE(save_checker_memory(path, second, kT0 + 200, error)) << error;
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_TRUE(loaded.notes.empty());
  ASSERT_EQ(loaded.memory.peers.size(), 3u);
  EXPECT_EQ(loaded.memory.peers.at(1u).hello, kT0 + 1);
  EXPECT_EQ(loaded.memory.peers.at(3u).hello, kT0 + 3);
  const PeerNotes& p = loaded.memory.peers.at(2u);
  EXPECT_EQ(p.tcp_check, kT0 + 100);
  EXPECT_EQ(p.tcp_outcome, TcpCheckOutcome::acked);
  EXPECT_EQ(p.udp_check, kT0 + 60);
  EXPECT_EQ(p.udp_outcome, UdpCheckOutcome::arrived);
  EXPECT_EQ(p.udp_exchange, kT0 + 95);
}

TEST(KadCheckerMemory, SavePrunesWhatIsTooOld)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  CheckerMemory old;
  old.note_hello(1u, kT0);
  std::string error;
  ASSERT_TRUE(save_checker_memory(path, old, kT0, error)) << error;
  CheckerMemory fresh;
  fresh.note_hello(2u, kT0 + kMemoryMaxAge + 10);
  ASSERT_TRUE(save_checker_memory(path, fresh, kT0 + kMemoryMaxAge + 10, error)) << error;
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_FALSE(loaded.memory.peers.contains(1u));
  EXPECT_TRUE(loaded.memory.peers.contains(2u));
}

TEST(KadCheckerMemory, SaveOverACorruptFileReplacesIt)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  write_text(path, "{not json");
  std::string error;
  ASSERT_TRUE(save_checker_memory(path, sample(), kT0 + 100, error)) << error;
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_TRUE(loaded.notes.empty());
  EXPECT_TRUE(same(loaded.memory, sample()));
}

TEST(KadCheckerMemory, ConcurrentSavesKeepEveryRunsNotes)
{
  TempDir dir;
  const auto path = dir.path / "mulenet-kad-memory.json";
  constexpr std::uint32_t kThreads = 4;
  constexpr std::uint32_t kSaves = 20;
  std::vector<std::string> errors(kThreads);
  std::vector<int> failures(kThreads, 0);
  {
    std::vector<std::jthread> threads;
    for (std::uint32_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (std::uint32_t k = 0; k < kSaves; ++k) {
          CheckerMemory ours;  // each save of a run: its own addresses only
          ours.note_udp_exchange(0x0A000000u + t * 256u + k + 1u, kT0 + k);
          ours.note_tcp_check(0x0A000000u + t * 256u + k + 1u, kT0 + t, TcpCheckOutcome::acked);
          std::string error;
          if (!save_checker_memory(path, ours, kT0 + 100, error)) {
            ++failures[t];
            errors[t] = error;
          }
        }
      });
    }
  }
  for (std::uint32_t t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << errors[t];
  const ParsedMemory loaded = load_checker_memory(path);
  EXPECT_TRUE(loaded.notes.empty());
  EXPECT_EQ(loaded.memory.peers.size(), kThreads * kSaves);
  for (std::uint32_t t = 0; t < kThreads; ++t)
    for (std::uint32_t k = 0; k < kSaves; ++k) {
      const auto it = loaded.memory.peers.find(0x0A000000u + t * 256u + k + 1u);
      ASSERT_NE(it, loaded.memory.peers.end()) << "thread " << t << " save " << k;
      EXPECT_EQ(it->second.udp_exchange, kT0 + k);
      EXPECT_EQ(it->second.tcp_check, kT0 + t);
    }
}

TEST(KadCheckerMemory, SaveWhereNoDirectoryCanBeFailsWithThePath)
{
  TempDir dir;
  write_text(dir.path / "plain-file", "x");
  const auto path = dir.path / "plain-file" / "sub" / "mulenet-kad-memory.json";
  std::string error;
  bool written = true;
  EXPECT_NO_THROW(written = save_checker_memory(path, sample(), kT0 + 100, error));
  EXPECT_FALSE(written);
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(KadCheckerMemory, ModificationTimeOfAFile)
{
  TempDir dir;
  const auto path = dir.path / "nodes.dat";
  write_text(path, "x");
  const struct timeval times[2] = {{kT0, 0}, {kT0 + 5, 0}};
  ASSERT_EQ(::utimes(path.c_str(), times), 0);
  EXPECT_EQ(modification_time(path), kT0 + 5);
  EXPECT_EQ(modification_time(dir.path / "absent"), std::nullopt);
}

// A check whose outcome is not understood keeps its time (what decides who is
// fit) and the entry its UDP flow: never a node that looks fit by mistake.
TEST(KadCheckerMemory, UnknownOutcomeKeepsTheCheckTimeAndTheFlow)
{
  const ParsedMemory parsed = parse_checker_memory(file_with(
      {R"({"ip":"1.2.3.4","udp_exchange":1700000000,"tcp_check":1700000001,"tcp_outcome":"bogus"})"}));
  ASSERT_EQ(parsed.memory.peers.size(), 1u);
  const PeerNotes& p = parsed.memory.peers.begin()->second;
  EXPECT_EQ(p.udp_exchange, 1700000000);
  EXPECT_EQ(p.tcp_check, 1700000001);
  EXPECT_EQ(p.tcp_outcome, TcpCheckOutcome::silent);
  EXPECT_EQ(parsed.notes.size(), 1u);
}

// The clock went back (NTP): a note from the future is kept, as now, and ages from there.
TEST(KadCheckerMemory, NoteFromTheFutureIsTakenAsNow)
{
  CheckerMemory m;
  m.note_tcp_check(7u, kT0 + 2 * 24 * 3600, TcpCheckOutcome::acked);
  prune_memory(m, kT0);
  ASSERT_EQ(m.peers.size(), 1u);
  EXPECT_EQ(m.peers.at(7u).tcp_check, kT0);
  EXPECT_EQ(m.peers.at(7u).tcp_outcome, TcpCheckOutcome::acked);
}
