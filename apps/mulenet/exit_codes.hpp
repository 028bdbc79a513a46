#pragma once
// The exit codes of `mulenet`: a public contract, documented in README.md.
namespace mulenet::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitWarnings = 1;       // doctor: warnings, no problems
inline constexpr int kExitProblems = 2;       // doctor: at least one problem
inline constexpr int kExitConfigInvalid = 3;  // the config (or a value to set) is invalid
inline constexpr int kExitFileError = 4;      // the config file cannot be read or written
inline constexpr int kExitNotFound = 5;       // config get: no such key
inline constexpr int kExitUsage = 64;         // bad command line (as sysexits' EX_USAGE)

}  // namespace mulenet::cli
