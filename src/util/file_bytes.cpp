#include "util/file_bytes.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "shz/shz.h"

namespace shz {

std::vector<uint8_t> stream_bytes(FILE* f, const std::string& name) {
  std::vector<uint8_t> data;
  struct stat st {};
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) data.reserve(size_t(st.st_size));
  uint8_t buf[1 << 16];
  for (size_t k; (k = std::fread(buf, 1, sizeof buf, f)) > 0;) data.insert(data.end(), buf, buf + k);
  if (std::ferror(f)) throw Error(ErrorCode::kInput, name + ": read error: " + std::strerror(errno));
  return data;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kInput, path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  // fopen succeeds on a directory; its first read fails with EISDIR.
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    throw Error(ErrorCode::kInput, path + ": is a directory");
  }
  try {
    std::vector<uint8_t> data = stream_bytes(f, path);
    std::fclose(f);
    return data;
  } catch (...) {
    std::fclose(f);
    throw;
  }
}

}  // namespace shz
