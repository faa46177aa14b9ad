#include "file_io.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/file_bytes.h"

namespace shz::cli {
namespace {

// The temporary file being written, for the signal handler (async-signal-safe access only).
char g_temp_path[4096];
volatile sig_atomic_t g_temp_set = 0;

void on_signal(int) {
  if (g_temp_set) unlink(g_temp_path);
  static const char msg[] = "shz: interrupted\n";
  ssize_t ignored = ::write(2, msg, sizeof msg - 1);
  (void)ignored;
  _exit(130);
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

void signals_install() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
}

FILE* file_open_input(const std::string& path, struct stat* st) {
  if (path == "-") {
    if (fstat(0, st) != 0) throw Error(ErrorCode::kInput, "stdin: " + errno_text());
    return stdin;
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kInput, path + ": " + errno_text());
  if (fstat(fileno(f), st) != 0 || S_ISDIR(st->st_mode)) {
    std::fclose(f);
    throw Error(ErrorCode::kInput, path + ": is a directory");
  }
  return f;
}

ReadFn file_reader(FILE* f, const std::string& name) {
  return [f, name](uint8_t* buf, size_t n) {
    const size_t k = std::fread(buf, 1, n, f);
    if (k < n && std::ferror(f)) throw Error(ErrorCode::kInput, name + ": read error: " + errno_text());
    return k;
  };
}

ReadAtFn file_reader_at(FILE* f, const std::string& name) {
  const int fd = fileno(f);
  return [fd, name](uint64_t at, uint8_t* buf, size_t n) {
    for (size_t got = 0; got < n;) {
      const ssize_t k = pread(fd, buf + got, n - got, off_t(at + got));
      if (k < 0) throw Error(ErrorCode::kInput, name + ": read error: " + errno_text());
      if (k == 0) throw Error(ErrorCode::kInput, name + ": truncated at byte " + std::to_string(at + got));
      got += size_t(k);
    }
  };
}

std::vector<uint8_t> file_read_all(const std::string& path, struct stat* opened) {
  struct stat st;
  FILE* f = file_open_input(path, &st);
  if (opened) *opened = st;
  try {
    std::vector<uint8_t> data = stream_bytes(f, path == "-" ? "stdin" : path);
    if (f != stdin) std::fclose(f);
    return data;
  } catch (...) {
    if (f != stdin) std::fclose(f);
    throw;
  }
}

bool file_still_is(const std::string& path, const struct stat& st) {
  struct stat now;
  return lstat(path.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino;
}

OutputFile::OutputFile(const std::string& path, bool force, const struct stat* like) : path_(path) {
  if (path == "-") {
    to_stdout_ = true;
    f_ = stdout;
    return;
  }
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    open_in_place(st, force);
    return;
  }
  if (!force && lstat(path.c_str(), &st) == 0)
    throw Error(ErrorCode::kOutput, path + ": already exists (use -f to overwrite)");
  if (like) {
    like_ = *like;
    has_like_ = S_ISREG(like->st_mode);
  }
  // FILE.tmp-XXXXXX beside the output, or, where that would be longer than a name may be
  // (a legal name of 245 bytes or more), .tmp-XXXXXX in its directory.
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const size_t name_max = size_t(pathconf(dir.empty() ? "." : dir.c_str(), _PC_NAME_MAX));
  const size_t base = path.size() - dir.size();
  temp_ = base + 11 <= std::min<size_t>(name_max, 255) ? path + ".tmp-XXXXXX" : dir + ".tmp-XXXXXX";
  std::vector<char> name(temp_.begin(), temp_.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) throw Error(ErrorCode::kOutput, path + ": cannot create: " + errno_text());
  temp_.assign(name.data());
  std::strncpy(g_temp_path, temp_.c_str(), sizeof g_temp_path - 1);
  g_temp_set = 1;
  f_ = fdopen(fd, "wb");
  if (!f_) {
    close(fd);
    unlink(temp_.c_str());
    g_temp_set = 0;
    throw Error(ErrorCode::kOutput, path + ": " + errno_text());
  }
}

// A device or pipe (/dev/null, a FIFO) is written where it is, as zstd does: a temporary
// file renamed over it would replace the device itself. A block device holds data, so it
// needs -f like a file; a directory is refused.
void OutputFile::open_in_place(const struct stat& st, bool force) {
  if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::kOutput, path_ + ": is a directory");
  if (S_ISBLK(st.st_mode) && !force)
    throw Error(ErrorCode::kOutput, path_ + ": is a block device (use -f to write to it)");
  f_ = std::fopen(path_.c_str(), "wb");
  if (!f_) throw Error(ErrorCode::kOutput, path_ + ": cannot open: " + errno_text());
  in_place_ = true;
}

OutputFile::~OutputFile() {
  if (to_stdout_ || committed_) return;
  if (f_) std::fclose(f_);
  if (in_place_) return;  // a device or pipe is not ours to remove
  unlink(temp_.c_str());
  g_temp_set = 0;
}

void OutputFile::write(const uint8_t* data, size_t n) {
  if (n && std::fwrite(data, 1, n, f_) != n)
    throw Error(ErrorCode::kOutput, (to_stdout_ ? std::string("stdout") : path_) + ": write error: " + errno_text());
}

void OutputFile::commit() {
  if (to_stdout_) {
    if (std::fflush(stdout) != 0) throw Error(ErrorCode::kOutput, "stdout: write error: " + errno_text());
    committed_ = true;
    return;
  }
  if (std::fflush(f_) != 0) throw Error(ErrorCode::kOutput, path_ + ": write error: " + errno_text());
  if (in_place_) {
    const int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) throw Error(ErrorCode::kOutput, path_ + ": write error: " + errno_text());
    committed_ = true;
    return;
  }
  if (has_like_) {
    // Keep the source's permission bits and times, as gzip, xz and zstd do.
    fchmod(fileno(f_), like_.st_mode & 07777);
    const struct timespec times[2] = {like_.st_atim, like_.st_mtim};
    futimens(fileno(f_), times);
  } else {
    // No source file (stdin, join): the mode a new file gets, 0666 less the umask, not the
    // temporary file's 0600.
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fileno(f_), 0666 & ~mask);
  }
  const int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) throw Error(ErrorCode::kOutput, path_ + ": write error: " + errno_text());
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throw Error(ErrorCode::kOutput, path_ + ": cannot rename into place: " + errno_text());
  g_temp_set = 0;
  committed_ = true;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace shz::cli
