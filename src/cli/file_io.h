// File handling for the CLI: whole-file reads, and outputs that appear only when complete.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "shz/shz.h"

namespace shz::cli {

// Installs SIGINT/SIGTERM/SIGHUP handlers that delete the output being written, then exit 130.
void signals_install();

// Reads all of `path` ("-" = stdin). Throws Error(kInput) naming the file and the reason.
// `st`, when given, receives the status of what was opened (for --rm's identity check).
std::vector<uint8_t> file_read_all(const std::string& path, struct stat* st = nullptr);

// Whether `path` still names the file whose status `st` was (same device and inode): --rm
// removes an input only then, as xz does, so a file moved into its place meanwhile stays.
bool file_still_is(const std::string& path, const struct stat& st);

// A ReadFn over an open stream (errors throw Error(kInput)).
ReadFn file_reader(FILE* f, const std::string& name);

// Opens `path` for reading ("-" = stdin); throws Error(kInput). Rejects directories.
FILE* file_open_input(const std::string& path, struct stat* st);

// An input opened by file_open_input and closed when it goes (stdin stays open).
struct InputFile {
  explicit InputFile(const std::string& path) : f(file_open_input(path, &st)) {}
  ~InputFile() {
    if (f != stdin) std::fclose(f);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  struct stat st {};
  FILE* f;
};

// A ReadAtFn over an open regular file (pread): for --range and join, which read only the
// frames they need. Errors and early ends throw Error(kInput) naming `name`.
ReadAtFn file_reader_at(FILE* f, const std::string& name);

// Output written to a temporary file beside `path` and renamed over it by commit(), so a
// failed or interrupted run leaves nothing behind. "-" writes to stdout directly, and so does
// an existing device or pipe (/dev/null, a FIFO) to itself.
class OutputFile {
 public:
  // Refuses an existing `path` unless force. `like`, when given, supplies mode and times.
  OutputFile(const std::string& path, bool force, const struct stat* like);
  ~OutputFile();  // removes the temporary file unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const uint8_t* data, size_t n);  // throws Error(kOutput)
  void commit();                             // throws Error(kOutput)
  // False for stdout, a device or a pipe: nothing keeps the data, so --rm keeps the input.
  bool keeps_data() const { return !to_stdout_ && !in_place_; }

 private:
  std::string path_, temp_;
  FILE* f_ = nullptr;
  void open_in_place(const struct stat& st, bool force);

  bool to_stdout_ = false;
  bool in_place_ = false;
  bool committed_ = false;
  bool has_like_ = false;
  struct stat like_ {};
};

// True when both paths name the same existing file.
bool same_file(const std::string& a, const std::string& b);

}  // namespace shz::cli
