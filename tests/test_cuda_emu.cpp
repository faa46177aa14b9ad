// The CUDA emulator (tests/cuda_emu) on its own: that its barriers, shuffles and WMMA compute
// what a GPU computes, that it exposes a missing barrier, and that it stops the misuses a
// GPU would punish (each in a forked child, which must abort with the emulator's message).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "cuda_emu/selftest_kernels.h"

using namespace cuda_emu_selftest;

namespace {

// Runs `f` in a child process; returns its stderr if it died of SIGABRT, else "(no abort)".
template <class F>
std::string abort_message(F f) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);  // not Catch's handler: the abort is the expected end
    dup2(fds[1], 2);
    close(fds[0]);
    f();
    _exit(0);
  }
  close(fds[1]);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? err : "(no abort)";
}

}  // namespace

TEST_CASE("cuda emulator: block reductions, shuffles and WMMA compute what a GPU does", "[cuda-emu]") {
  std::vector<int> in(3 * 5000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = int(i * 7919 % 20011) - 10000;
  for (int threads : {32, 256, 1024}) {
    const auto sums = block_sums(in, 3, threads);
    for (int b = 0; b < 3; ++b)
      CHECK(sums[size_t(b)] == std::accumulate(in.begin() + 5000 * b, in.begin() + 5000 * (b + 1), 0LL));
  }
  const auto sh = shuffles();
  for (int t = 0; t < 64; ++t) {
    const int lane = t % 32;
    CHECK(sh[size_t(2 * t)] == (lane ^ 5));
    CHECK(sh[size_t(2 * t + 1)] == (lane + 3 < 32 ? lane + 3 : lane));  // shfl_down keeps its own past the end
  }
  std::vector<int8_t> a(256), b(256);
  for (int i = 0; i < 256; ++i) a[size_t(i)] = int8_t(i * 37 % 255 - 127), b[size_t(i)] = int8_t(i * 91 % 255 - 127);
  const auto c = wmma_product(a, b);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      int s = 0;
      for (int k = 0; k < 16; ++k) s += a[size_t(16 * i + k)] * b[size_t(16 * j + k)];  // b column-major
      CHECK(c[size_t(16 * i + j)] == s);
    }
}

TEST_CASE("cuda emulator: a missing __syncthreads shows as wrong results", "[cuda-emu]") {
  std::vector<int> want(64);
  for (int t = 0; t < 64; ++t) want[size_t(t)] = 63 - t;
  CHECK(mirror(true) == want);
  CHECK(mirror(false) != want);
}

TEST_CASE("cuda emulator: launches, errors and graphs behave as the runtime's", "[cuda-emu]") {
  CHECK(launch_error(1024) == "no error");
  CHECK(launch_error(2048) == "invalid configuration argument");
  CHECK(graph_runs(3) == 3);
  CHECK(memcpy_in_capture() ==
        "operation not permitted when stream is capturing; operation failed due to a previous error during capture");
}

TEST_CASE("cuda emulator: stops what a GPU would punish", "[cuda-emu]") {
  CHECK_THAT(abort_message(divergent_barrier), Catch::Contains("__syncthreads not reached"));
  CHECK_THAT(abort_message(shuffle_after_return), Catch::Contains("not reached by all 32 lanes"));
  CHECK_THAT(abort_message(host_pointer_argument), Catch::Contains("outside device memory"));
  CHECK_THAT(abort_message(misaligned_wmma), Catch::Contains("not 256-bit aligned"));
}
