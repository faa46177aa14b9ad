// shz library API: compress to and decompress from the .shz container (docs/FORMAT.md).
// The CLI (src/cli) is a thin layer over these calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "shz/model.h"
#include "shz/predictor.h"

namespace shz {

// Error classes double as the CLI's exit codes (see `shz --help`).
enum class ErrorCode : int {
  kUsage = 1,    // bad command line or option value
  kInput = 2,    // unreadable input: missing file, not an archive, corrupt or truncated data
  kModel = 3,    // the archive needs a model this shz does not have
  kOutput = 4,   // cannot write the output (exists without -f, disk full, ...)
  kInterrupted = 130,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Progress of a running operation; called from the calling thread, about 10 times a second.
struct Progress {
  uint64_t bytes_in = 0;     // original bytes modelled so far
  uint64_t bytes_coded = 0;  // coded payload bytes of the segments finished so far
  uint64_t bytes_finished = 0;  // original bytes of those finished segments
  uint64_t total = 0;        // original size
};
using ProgressFn = std::function<void(const Progress&)>;

struct ArchiveInfo;  // below: a frame's header, as frame_done reports it

// The level used when none is given (-1 .. -9), by the CLI and the library alike.
constexpr int kDefaultLevel = 6;
constexpr int kMaxLevel = 9;

struct CompressOptions {
  std::string model = kDefaultModelName;  // "default" (the built-in SHA-RNN, as the CLI's), a built-in name or a model file
  bool embed_model = false;      // store the model file in the archive (model files only)
  uint64_t segment_size = 0;     // 0: default_segment_size(the model's default, the input's size)
  unsigned threads = 0;          // 0: all cores; the archive does not depend on it
  std::string device = "cpu";    // SHA-RNN models: cpu | cuda | auto; never changes the archive
  EngineTuning engine;           // how SHA-RNN predictors run (SIMD level, batch, ...); never changes the archive
  // Also code each segment with LZMA2 and keep whichever is smaller (format 3).
  bool lzma_fallback = true;
  // Refine the model's pmfs with the match model (format 4: long repeats the model's
  // window cannot see). With both off, every segment is coded by the model alone or stored,
  // so the payload measures the model.
  bool match_model = true;
  // Code the (match-refined) pmfs bit by bit through the mixing stage (format 5: adaptive
  // counters on the segment's own recent bytes, mixed with the pmf). Needs match_model.
  bool mix_stage = true;
  // Formats 6-7: 1..9 codes the input in blocks through context mixing (model/cm) at that
  // level, the model's pmfs one of its inputs where the model pays; 0 writes the formats
  // above (match_model and mix_stage choose). The default, kDefaultLevel, is the CLI's.
  int level = kDefaultLevel;
  // Formats 6-7: bytes per lane within a block (0: one lane per block). Lanes advance in
  // lock-step, one model slot each, sharing the block's statistics (docs/FORMAT.md).
  uint64_t lane_size = 0;
  // Formats 6-7: try each block with and without the model and leave the model out where it
  // does not pay for its time (false: the model codes every block with it).
  bool model_trial = true;
  // Inputs longer than this are cut into frames of this many bytes, each a complete archive,
  // followed by a seek index (docs/FORMAT.md, "Streams of frames"): memory stays bounded
  // whatever the input's size, and decompress_range() decodes only the frames it needs.
  // 0: kDefaultFrameSize.
  uint64_t frame_size = 0;
  ProgressFn progress;
  // Called (from the calling thread) with each frame's header once the frame is written.
  std::function<void(const ArchiveInfo&)> frame_done;
  // Called (from the calling thread, after the work) with one line per format 6-7 block: its
  // size, lanes, filter and what the model's trial found; the CLI prints them with -vv.
  std::function<void(const std::string&)> note;
};

// The frame size compress() uses when none is given: inputs up to it are one frame (one
// archive, as before streams of frames); larger ones hold up to this much input in memory.
constexpr uint64_t kDefaultFrameSize = uint64_t(64) << 20;


struct DecompressOptions {
  std::string model;  // model file for archives that name one without embedding it
  unsigned threads = 0;
  std::string device = "cpu";  // SHA-RNN models: cpu | cuda | auto; same output on each
  EngineTuning engine;         // how SHA-RNN predictors run (SIMD level, batch, ...); same output
  ProgressFn progress;
};

// Largest segment the format allows (FORMAT.md): bounds a decoder's memory per segment.
constexpr uint64_t kMaxSegmentSize = uint64_t(1) << 30;

// The segment size compress() picks when none is given: the model's default, doubled up to
// twice while the input still makes at least kMinDefaultSegments segments. Longer segments
// give the match model more to find (and the model fewer cold starts); enough segments keep
// every core and batch slot busy. Depends on the input's size only, never on threads.
constexpr uint64_t kMinDefaultSegments = 32;
uint64_t default_segment_size(uint64_t model_default, uint64_t input_size);

// How a segment's payload holds its bytes (docs/FORMAT.md, "Segment table entry").
enum class SegmentMethod : uint8_t {
  kModel = 0,   // range-coded with the archive's model
  kStored = 1,  // the original bytes: nothing else made it smaller (format 2)
  kLzma = 2,    // a raw LZMA2 stream: smaller than the model's coding (format 3)
  kModelMatch = 3,  // range-coded with the model's pmfs refined by the match model (format 4)
  kModelMix = 4,    // as kModelMatch, then coded bit by bit through the mixing stage (format 5)
  kCm = 5,          // context mixing over the whole segment, no model input (formats 6-7)
  kCmModel = 6,     // context mixing with the model's pmfs as an input (formats 6-7)
};
// "model", "stored", "lzma", "model+match", "model+match+mix", "cm", "cm+model".
const char* segment_method_name(SegmentMethod m);
// Whether a segment so coded needs the archive's model to decode (model, model+match,
// model+match+mix, cm+model).
inline bool segment_uses_model(SegmentMethod m) {
  return m == SegmentMethod::kModel || m == SegmentMethod::kModelMatch || m == SegmentMethod::kModelMix ||
         m == SegmentMethod::kCmModel;
}

struct SegmentInfo {
  uint64_t original_size = 0;
  uint64_t coded_size = 0;
  uint64_t hash = 0;  // xxh64 of the segment's original bytes
  SegmentMethod method = SegmentMethod::kModel;
};

struct ArchiveInfo {
  unsigned version = 0;
  bool model_is_builtin = true;
  ModelIdentity model;
  uint64_t original_size = 0;
  uint64_t segment_size = 0;
  uint64_t content_hash = 0;   // xxh64 of all original bytes
  bool model_embedded = false;
  uint64_t model_size = 0;     // bytes of the embedded model file (0 when not embedded)
  uint64_t header_size = 0;    // bytes of header and segment table (embedded model excluded)
  std::vector<SegmentInfo> segments;
  uint64_t payload_size() const;
  uint64_t archive_size() const { return header_size + model_size + payload_size(); }
};

// Pulls up to `n` bytes into `buf`; returns how many (0 only at end of input). Throws on error.
using ReadFn = std::function<size_t(uint8_t* buf, size_t n)>;
// Consumes `n` bytes. Throws on error.
using WriteFn = std::function<void(const uint8_t* buf, size_t n)>;

// Compresses data[0..size) into a complete archive: one frame, or for inputs over
// opt.frame_size, frames of that size and a seek index. Throws shz::Error.
std::vector<uint8_t> compress(const uint8_t* data, size_t size, const CompressOptions& opt);

// Compresses what `in` gives until its end, writing each frame to `out` as soon as it is
// done: the same bytes as compress() of the whole input, in memory bounded by the frame
// size (and the model), whatever the input's length. Throws shz::Error.
void compress(const ReadFn& in, const WriteFn& out, const CompressOptions& opt);

// Decodes the archive read from `in`, writing the original bytes to `out` segment by segment,
// each only after its checksum matched. Memory stays bounded by threads x segment size.
// A stream of several frames (archives concatenated, as `cat a.shz b.shz` makes, or one
// archive cut into frames) decodes to their outputs in order; seek indexes are checked.
// Throws shz::Error (kInput for bad data, kModel for an unavailable model).
void decompress(const ReadFn& in, const WriteFn& out, const DecompressOptions& opt);

// Reads exactly n bytes at `offset` into buf; throws shz::Error when it cannot.
using ReadAtFn = std::function<void(uint64_t offset, uint8_t* buf, size_t n)>;

// Decodes original bytes [start, start + length) of the stream of `size` bytes that `in`
// reads (length clipped at the end of the data), decoding only the frames that hold them:
// the seek index at the stream's end says where they are (archives concatenated without one
// are walked header by header). kUsage when start lies past the end.
void decompress_range(const ReadAtFn& in, uint64_t size, uint64_t start, uint64_t length, const WriteFn& out,
                      const DecompressOptions& opt);

// Convenience: decompress a whole archive held in memory.
std::vector<uint8_t> decompress(const uint8_t* archive, size_t size, const DecompressOptions& opt);

// Reads and validates the header, the segment table and the archive's extent (truncation,
// trailing data); does not decode. Throws shz::Error (kInput).
ArchiveInfo archive_read_info(const ReadFn& in);

// Convenience: archive_read_info of an archive held in memory.
ArchiveInfo archive_read_info(const uint8_t* archive, size_t size);

// Cluster compression: part k (1..n) of an input of `size` bytes cut into frames of
// `frame_size` (0: kDefaultFrameSize) is a run of whole frames, so parts compressed apart
// (with the same options) and joined by streams_join make the stream one run would.
// Throws Error(kUsage) when the input has fewer frames than parts.
struct ByteRange {
  uint64_t start = 0, length = 0;
};
ByteRange part_range(uint64_t size, uint64_t frame_size, unsigned k, unsigned n);

// Writes the archive frames of the given streams, in order, then one seek index over all of
// them (none for a single frame): the parts of part_range joined. Each part's structure and
// header checksums are checked; payloads are copied, not decoded.
void streams_join(const std::vector<std::pair<ReadAtFn, uint64_t>>& parts, const WriteFn& out);

// A stream's frames (an archive of one frame is a stream of one).
struct StreamInfo {
  std::vector<ArchiveInfo> frames;
  std::vector<uint64_t> frame_offsets;  // where each frame starts in the stream
  uint64_t stream_size = 0;             // bytes of the whole stream
  uint64_t original_size() const;
  uint64_t index_size() const;          // bytes of the seek indexes (0: none)
};

// As archive_read_info, for every frame of a stream, seek indexes checked.
StreamInfo stream_read_info(const ReadFn& in);
StreamInfo stream_read_info(const uint8_t* stream, size_t size);

// Whether decoding needs the archive's model: some segment was coded by it (an archive of
// LZMA2 and stored segments only decodes without the model file).
bool archive_needs_model(const ArchiveInfo& info);

// A model's own bits per byte on data, as `shz eval` reports them: a real archive coded by
// the model alone (format 3: no LZMA2, no match model, no mixing; one frame), its payload
// counted. opt gives the model, threads, device and segment size; the rest is set here.
struct ModelBits {
  uint64_t bytes = 0, payload_bytes = 0, archive_bytes = 0, segment_size = 0;
  std::string model;
  double bpb() const { return bytes ? 8.0 * double(payload_bytes) / double(bytes) : 0.0; }
};
ModelBits model_bits(const uint8_t* data, size_t size, CompressOptions opt);

// Version string of this build, e.g. "0.1.0".
const char* version_string();

}  // namespace shz
