#include "runner.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace shz::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::vector<uint8_t> slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void spill(const std::string& p, const std::vector<uint8_t>& d) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(d.data()), std::streamsize(d.size()));
}

struct Run {
  double seconds = 0;
  long maxrss_kb = 0;
  int status = -1;
};

// Runs cmd through /bin/sh in `dir`; times it and reads its (and its children's) peak RSS.
Run run_shell(const std::string& cmd, const std::string& dir) {
  Run r;
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.seconds = seconds_since(t0);
  r.maxrss_kb = ru.ru_maxrss;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// A forked child's peak RSS when it does nothing: what library runs inherit from this process.
long fork_baseline_kb() {
  static long kb = -1;
  if (kb < 0) {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    int st;
    struct rusage ru {};
    wait4(pid, &st, 0, &ru);
    kb = ru.ru_maxrss;
  }
  return kb;
}

struct LibraryRun {
  double tc = 0, td = 0;
  uint64_t csize = 0;
  int ok = 0;
  char error[200] = {0};
};

// One library round trip in a child process, so its memory is measured apart from ours.
LibraryRun run_library(const Codec& c, const std::vector<uint8_t>& data, long* maxrss_kb) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    LibraryRun r;
    try {
      auto t = Clock::now();
      const std::vector<uint8_t> packed = library_compress(c.library_id, data);
      r.tc = seconds_since(t);
      t = Clock::now();
      const std::vector<uint8_t> back = library_decompress(c.library_id, packed, data.size());
      r.td = seconds_since(t);
      r.csize = packed.size();
      r.ok = back == data;
      if (!r.ok) std::strncpy(r.error, "round trip mismatch", sizeof r.error - 1);
    } catch (const std::exception& e) {
      std::strncpy(r.error, e.what(), sizeof r.error - 1);
    }
    ssize_t w = write(fds[1], &r, sizeof r);
    _exit(w == ssize_t(sizeof r) ? 0 : 1);
  }
  close(fds[1]);
  LibraryRun r;
  const ssize_t got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  int st;
  struct rusage ru {};
  wait4(pid, &st, 0, &ru);
  if (got != ssize_t(sizeof r)) std::strncpy(r.error, "benchmark child failed", sizeof r.error - 1);
  *maxrss_kb = std::max(0L, ru.ru_maxrss - fork_baseline_kb());
  return r;
}

std::string fill(std::string cmd, const std::string& in, const std::string& out) {
  for (size_t at; (at = cmd.find("{in}")) != std::string::npos;) cmd.replace(at, 4, shell_quote(in));
  for (size_t at; (at = cmd.find("{out}")) != std::string::npos;) cmd.replace(at, 5, shell_quote(out));
  return cmd;
}

}  // namespace

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Result measure(const Codec& codec, const std::string& path, const std::vector<uint8_t>& data, int runs,
               const std::string& scratch) {
  Result res;
  res.corpus = path.substr(path.find_last_of('/') + 1);
  res.codec = codec.name;
  res.version = codec.version;
  res.original = data.size();
  std::vector<double> tc, td;
  long peak = 0;
  // Run 0 is a warm-up (page cache, lazy binding, CPU clocks), unless it took over 5 s: at
  // that scale those effects vanish, and slow codecs (a neural model on a CPU) would
  // otherwise cost a whole extra run.
  constexpr double kNoWarmupSeconds = 5.0;
  for (int i = 0; int(tc.size()) < runs; ++i) {
    double c = 0, d = 0;
    if (codec.kind == "library") {
      long kb = 0;
      const LibraryRun r = run_library(codec, data, &kb);
      if (!r.ok) {
        res.error = r.error;
        return res;
      }
      c = r.tc;
      d = r.td;
      res.compressed = r.csize;
      peak = std::max(peak, kb);
    } else {
      // A fresh directory per run: tools such as zpaq append to archives they find.
      const std::string dir = scratch + "/run";
      std::filesystem::remove_all(dir);
      std::filesystem::create_directory(dir);
      const std::string in = dir + "/input", packed = scratch + "/packed", back = scratch + "/restored";
      spill(in, data);
      const Run rc = run_shell(fill(codec.compress_cmd, in, packed), dir);
      if (rc.status != 0) {
        res.error = "compress command exited " + std::to_string(rc.status);
        return res;
      }
      std::filesystem::remove_all(dir);
      std::filesystem::create_directory(dir);
      const Run rd = run_shell(fill(codec.decompress_cmd, packed, back), dir);
      if (rd.status != 0) {
        res.error = "decompress command exited " + std::to_string(rd.status);
        return res;
      }
      if (slurp(back) != data) {
        res.error = "ROUND TRIP MISMATCH";
        return res;
      }
      std::ifstream f(packed, std::ios::binary | std::ios::ate);
      res.compressed = uint64_t(f.tellg());
      c = rc.seconds;
      d = rd.seconds;
      peak = std::max({peak, rc.maxrss_kb, rd.maxrss_kb});
    }
    if (i > 0 || c + d > kNoWarmupSeconds) {
      tc.push_back(c);
      td.push_back(d);
    }
  }
  res.compress_s = median(tc);
  res.decompress_s = median(td);
  res.peak_mib = double(peak) / 1024.0;
  res.ok = true;
  return res;
}

}  // namespace shz::bench
