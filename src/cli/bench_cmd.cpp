#include "bench_cmd.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "bench/baselines.h"
#include "bench/report.h"
#include "shz/model.h"
#include "shz/shz.h"
#include "bench/runner.h"
#include "format.h"

namespace shz::cli {
namespace {

namespace fs = std::filesystem;

// The regular files named or found below the directories named, in order; empty (after a
// one-line error) when a path does not exist.
std::vector<std::string> collect_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') in_dir.push_back(e.path().string());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "shz: bench: %s: no such file or directory\n", p.c_str());
      return {};
    }
  }
  return files;
}

bool write_out(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return true;
  }
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) std::fprintf(stderr, "shz: bench: cannot write %s\n", path.c_str());
  return bool(f);
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string("shz");
}

// Published sizes (a TSV: file name, compressor, bytes; '#' comments) as results of their
// own, for the files measured here (their original size taken from them): rows marked as
// published, with no speed. False (after a one-line error) when the file cannot be read.
bool add_reference(const std::string& path, std::vector<bench::Result>& results) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "shz: bench: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<bench::Result> add;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t a = line.find('\t'), b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    bench::Result r;
    r.corpus = line.substr(0, a);
    r.codec = line.substr(a + 1, b - a - 1) + " (published)";
    r.compressed = std::stoull(line.substr(b + 1));
    for (const bench::Result& m : results)
      if (m.corpus == r.corpus) r.original = m.original;
    if (r.original == 0) continue;  // a file not measured here
    r.version = "published";
    r.ok = true;
    add.push_back(r);
  }
  results.insert(results.end(), add.begin(), add.end());
  return true;
}

}  // namespace

int bench_run(const BenchOptions& o) {
  if (!o.replot.empty()) {
    bench::Machine machine;
    std::vector<bench::Result> results;
    for (const std::string& path : o.replot) {
      std::ifstream in(path);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        const std::vector<bench::Result> r = bench::results_from_json(text, &machine);
        results.insert(results.end(), r.begin(), r.end());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "shz: bench: %s: not a bench JSON file (%s)\n", path.c_str(), e.what());
        return 2;
      }
    }
    if (!o.reference.empty() && !add_reference(o.reference, results)) return 2;
    std::fputs(bench::report_table(results).c_str(), stdout);
    bool ok = true;
    if (!o.csv.empty()) ok &= write_out(o.csv, bench::report_csv(results));
    if (!o.svg.empty()) ok &= write_out(o.svg, bench::report_svg(machine, results));
    if (!o.md.empty()) ok &= write_out(o.md, bench::report_markdown(machine, results));
    return ok ? 0 : 4;
  }
  bool missing = false;
  for (const std::string& p : o.paths) missing |= !fs::exists(p);
  const std::vector<std::string> files = collect_files(o.paths);
  if (files.empty()) {
    if (!missing) std::fprintf(stderr, "shz: bench: no input files\n");
    return 2;
  }
  std::vector<bench::Codec> codecs;
  const std::string self = bench::shell_quote(self_exe());
  const std::string t = " -T " + std::to_string(o.threads);
  const std::vector<int> levels = o.levels.empty() ? std::vector<int>{kDefaultLevel} : o.levels;
  const bool several_models = o.models.size() > 1;
  // The version field of shz's rows names the archive format, so a table kept from an older
  // run can say what produced it.
  const std::string shz_version = std::string("shz ") + version_string() + " format " + std::to_string(kFormatVersion);
  for (const std::string& m : o.models.empty() ? std::vector<std::string>{kDefaultModelName} : o.models)
    for (int level : levels) {
      // "shz -6", and the model's name too when it is not the default or there are several.
      std::string name = "shz -" + std::to_string(level);
      if (several_models || (m != kDefaultModelName && !o.models.empty())) name += " " + fs::path(m).filename().string();
      const std::string qm = bench::shell_quote(m);
      const std::string l = " -" + std::to_string(level);
      codecs.push_back({name, "command", self + " compress -q -c" + l + t + " -m " + qm + " {in} > {out}",
                        self + " decompress -q -c" + t + " -m " + qm + " {in} > {out}", "", shz_version});
    }
  for (const bench::Codec& c : bench::library_codecs()) codecs.push_back(c);
  std::vector<std::string> skipped;
  if (o.external)
    for (const bench::ExternalCodec& e : bench::external_codecs()) {
      if (e.found) codecs.push_back(e.codec);
      else skipped.push_back(e.codec.name + ": " + e.missing);
    }

  char tmpl[] = "/tmp/shz-bench-XXXXXX";
  const char* base = getenv("TMPDIR");
  std::string dir_template = std::string(base ? base : "/tmp") + "/shz-bench-XXXXXX";
  std::vector<char> dt(dir_template.begin(), dir_template.end());
  dt.push_back('\0');
  const char* scratch = mkdtemp(dt.data());
  if (!scratch) scratch = mkdtemp(tmpl);
  if (!scratch) {
    std::fprintf(stderr, "shz: bench: cannot create a scratch directory\n");
    return 4;
  }

  const bench::Machine machine = bench::machine_describe();
  std::vector<bench::Result> results;
  bool failed = false;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const bench::Codec& c : codecs) {
      if (isatty(2)) std::fprintf(stderr, "\rbench: %s with %s...\033[K", f.c_str(), c.name.c_str());
      results.push_back(bench::measure(c, f, data, o.runs, scratch));
      if (!results.back().ok) {
        failed = true;
        std::fprintf(stderr, "%sshz: bench: %s on %s: %s\n", isatty(2) ? "\r\033[K" : "", c.name.c_str(), f.c_str(),
                     results.back().error.c_str());
      }
    }
  }
  if (isatty(2)) std::fprintf(stderr, "\r\033[K");
  fs::remove_all(scratch);

  const bool to_stdout = o.csv == "-" || o.json == "-" || o.md == "-";
  if (!to_stdout) {
    std::printf("machine: %s, %u cores, SIMD %s; times are medians of %d runs after a warm-up\n", machine.cpu.c_str(),
                machine.cores, machine.simd.c_str(), o.runs);
    std::fputs(bench::report_table(results).c_str(), stdout);
    for (const std::string& s : skipped) std::printf("skipped: %s\n", s.c_str());
  }
  bool ok = true;
  if (!o.csv.empty()) ok &= write_out(o.csv, bench::report_csv(results));
  if (!o.json.empty()) ok &= write_out(o.json, bench::report_json(machine, results, skipped));
  if (!o.svg.empty()) ok &= write_out(o.svg, bench::report_svg(machine, results));
  if (!o.md.empty()) ok &= write_out(o.md, bench::report_markdown(machine, results));
  if (failed) std::fprintf(stderr, "shz: bench: ROUND TRIP FAILURES above\n");
  return failed ? 2 : ok ? 0 : 4;
}

}  // namespace shz::cli
