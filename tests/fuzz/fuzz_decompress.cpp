// libFuzzer target: any byte string given to the archive reader and decoder either decodes
// or throws shz::Error; anything else (a crash, a sanitizer report, another exception such
// as std::bad_alloc from a size taken on trust, a hang) is a bug. tools/fuzz builds and runs it.
#include <cstddef>
#include <cstdint>

#include "shz/shz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    shz::archive_read_info(data, size);
  } catch (const shz::Error&) {
  }
  shz::DecompressOptions opt;
  opt.threads = 1;
  try {
    shz::decompress(data, size, opt);
  } catch (const shz::Error&) {
  }
  return 0;
}
