#include "tool_exec.h"

#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "shz/shz.h"

namespace shz::cli {

std::string train_tool_path() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, size_t(n));
    dir = dir.substr(0, dir.find_last_of('/'));
    const std::string beside = dir + "/shz-train";
    if (access(beside.c_str(), X_OK) == 0) return beside;
  }
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    for (size_t at = 0; at <= p.size();) {
      const size_t end = std::min(p.find(':', at), p.size());
      const std::string cand = (end > at ? p.substr(at, end - at) : ".") + "/shz-train";
      if (access(cand.c_str(), X_OK) == 0) return cand;
      at = end + 1;
    }
  }
  throw Error(ErrorCode::kUsage,
              "shz-train not found beside shz or on PATH: it is built when LibTorch is present "
              "(Debian 12: apt install libtorch-dev libopenblas0-pthread, then rebuild)");
}

void train_tool_exec(int argc, char** argv) {
  std::string tool;
  try {
    tool = train_tool_path();
  } catch (const Error& e) {
    std::fprintf(stderr, "shz: %s\n", e.what());
    std::exit(int(e.code()));
  }
  std::vector<char*> args{const_cast<char*>(tool.c_str())};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv(tool.c_str(), args.data());
  std::fprintf(stderr, "shz: cannot run %s: %s\n", tool.c_str(), std::strerror(errno));
  std::exit(int(ErrorCode::kUsage));
}

}  // namespace shz::cli
