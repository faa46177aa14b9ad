#include "mode_args.h"

#include <algorithm>

#include "shz/shz.h"

namespace shz::cli {
namespace {

// The single-letter flags that take no value, so that a cluster of them (-dcf) is read
// letter by letter; a cluster with any other letter is left to the parser as it is.
constexpr const char* kClusterLetters = "dtlcfkqv";

const char* mode_of_letter(char c) {
  return c == 'd' ? "decompress" : c == 't' ? "test" : c == 'l' ? "info" : nullptr;
}

const char* mode_of_long(const std::string& a) {
  if (a == "--decompress" || a == "--uncompress") return "decompress";
  if (a == "--test") return "test";
  if (a == "--list") return "info";
  return nullptr;
}

// -0 .. -9, as in gzip, xz and zstd (the level), as --level=N, which the parser reads; up
// to "--", after which every argument is a file.
std::vector<std::string> level_args(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool operands = false;
  for (const std::string& a : args) {
    if (!operands && a.size() == 2 && a[0] == '-' && a[1] >= '0' && a[1] <= '9')
      out.push_back("--level=" + a.substr(1));
    else
      out.push_back(a);
    operands = operands || a == "--";
  }
  return out;
}

}  // namespace

std::vector<std::string> mode_args(const std::vector<std::string>& in, const std::vector<std::string>& subcommands) {
  const std::vector<std::string> args = level_args(in);
  // No arguments at all: a filter, standard input to standard output, as `cmd | shz > f`
  // and `tar -I shz` run a compressor.
  if (args.empty()) return {"compress"};
  const std::string& first = args[0];
  if (std::find(subcommands.begin(), subcommands.end(), first) != subcommands.end() || first == "-h" ||
      first == "--help" || first == "-V" || first == "--version")
    return args;
  std::string mode;
  const auto set_mode = [&](const char* m) {
    if (!mode.empty() && mode != m)
      throw Error(ErrorCode::kUsage, "choose one of -d, -t and -l (or a subcommand: see shz --help)");
    mode = m;
  };
  std::vector<std::string> rest;
  bool operands = false;  // after "--" every argument is a file
  for (const std::string& a : args) {
    if (operands || a == "--" || a.size() < 2 || a[0] != '-') {
      operands = operands || a == "--";
      rest.push_back(a);
      continue;
    }
    if (a[1] == '-') {
      if (const char* m = mode_of_long(a)) set_mode(m);
      else rest.push_back(a);
      continue;
    }
    const std::string letters = a.substr(1);
    if (letters.find_first_not_of(kClusterLetters) != std::string::npos) {
      rest.push_back(a);  // an option with a value (-o FILE, -T2, -m NAME) or an unknown one
      continue;
    }
    std::string kept;
    for (char c : letters) {
      if (const char* m = mode_of_letter(c)) set_mode(m);
      else kept += c;
    }
    if (!kept.empty()) rest.push_back("-" + kept);
  }
  rest.insert(rest.begin(), mode.empty() ? "compress" : mode);
  return rest;
}

}  // namespace shz::cli
