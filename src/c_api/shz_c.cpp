// include/shz.h over the C++ library (include/shz/shz.h): contexts hold the options, every
// exception becomes a status and a message, and no exception crosses into C.
#include "shz.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "shz/shz.h"

struct shz_cctx {
  shz::CompressOptions opt;
  std::string error;
};

struct shz_dctx {
  shz::DecompressOptions opt;
  std::string error;
};

namespace {

// Runs `f`, turning what it throws into a status, and the message into `error`.
template <class F>
int guarded(std::string& error, F&& f) {
  error.clear();
  try {
    f();
    return SHZ_OK;
  } catch (const shz::Error& e) {
    error = e.what();
    return int(e.code()) == 130 ? SHZ_ERROR_INTERNAL : int(e.code());
  } catch (const std::bad_alloc&) {
    error = "out of memory";
    return SHZ_ERROR_MEMORY;
  } catch (const std::exception& e) {
    error = e.what();
    return SHZ_ERROR_INTERNAL;
  } catch (...) {
    error = "unknown error";
    return SHZ_ERROR_INTERNAL;
  }
}

[[noreturn]] void usage(const std::string& what) { throw shz::Error(shz::ErrorCode::kUsage, what); }

// A C caller may pass any int as a parameter name; reading such a value through the C++
// enum type is undefined, so its bytes are read as the int the C ABI passed.
template <class Enum>
int enum_value(const Enum& e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

// Copies `v` into a malloc'd buffer for the caller (at least 1 byte, so an empty result is
// still a pointer to free).
void hand_over(const std::vector<uint8_t>& v, void** dst, size_t* dst_size) {
  if (!dst || !dst_size) usage("the output pointers are null");
  void* p = std::malloc(v.empty() ? 1 : v.size());
  if (!p) throw std::bad_alloc();
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  *dst = p;
  *dst_size = v.size();
}

shz::ReadFn reader(shz_read_fn in, void* opaque) {
  if (!in) usage("the read callback is null");
  return [in, opaque](uint8_t* buf, size_t n) {
    const size_t k = in(opaque, buf, n);
    if (k == size_t(-1)) throw shz::Error(shz::ErrorCode::kInput, "the read callback reported an error");
    if (k > n) throw shz::Error(shz::ErrorCode::kInput, "the read callback returned more bytes than asked for");
    return k;
  };
}

shz::WriteFn writer(shz_write_fn out, void* opaque) {
  if (!out) usage("the write callback is null");
  return [out, opaque](const uint8_t* buf, size_t n) {
    if (out(opaque, buf, n) != 0) throw shz::Error(shz::ErrorCode::kOutput, "the write callback reported an error");
  };
}

std::string device_checked(const char* device) {
  const std::string d = device ? device : "";
  if (d != "cpu" && d != "cuda" && d != "auto") usage("unknown device '" + d + "' (cpu, cuda or auto)");
  return d;
}

// SHZ_C_SIMD / SHZ_D_SIMD: a shz_simd, checked against this CPU when set.
void engine_set_simd(shz::EngineTuning& t, int64_t value) {
  static const char* const kNames[] = {"auto", "scalar", "avx2", "avx512"};
  if (value < SHZ_SIMD_AUTO || value > SHZ_SIMD_AVX512) usage("SIMD level " + std::to_string(value) + " is outside 0..3");
  shz::EngineTuning next = t;
  next.simd = kNames[value];
  shz::engine_tuning_check(next);  // "this CPU lacks the SIMD level ..."
  t = next;
}

// SHZ_C_BATCH / SHZ_D_BATCH.
void engine_set_batch(shz::EngineTuning& t, int64_t value) {
  if (value < 0 || value > 4096) usage("batch " + std::to_string(value) + " is outside 0..4096");
  t.batch = size_t(value);
}

}  // namespace

extern "C" {

const char* shz_version(void) { return shz::version_string(); }

void shz_free(void* p) { std::free(p); }

shz_cctx* shz_cctx_create(void) {
  shz_cctx* c = new (std::nothrow) shz_cctx;
  if (!c) return nullptr;
  // The CLI's defaults: one default model and level everywhere.
  c->opt.model = shz::kDefaultModelName;
  c->opt.level = shz::kDefaultLevel;
  return c;
}

void shz_cctx_free(shz_cctx* c) { delete c; }

int shz_cctx_set(shz_cctx* c, shz_cparam p, int64_t value) {
  if (!c) return SHZ_ERROR_USAGE;
  return guarded(c->error, [&] {
    auto size = [&](const char* what) {
      if (value < 0) usage(std::string(what) + " cannot be negative");
      return uint64_t(value);
    };
    switch (enum_value(p)) {
      case SHZ_C_LEVEL:
        if (value < 0 || value > shz::kMaxLevel) usage("level " + std::to_string(value) + " is outside 0..9");
        c->opt.level = int(value);
        break;
      case SHZ_C_THREADS:
        if (value < 0 || value > 1024) usage("threads " + std::to_string(value) + " is outside 0..1024");
        c->opt.threads = unsigned(value);
        break;
      case SHZ_C_SEGMENT_SIZE: c->opt.segment_size = size("segment size"); break;
      case SHZ_C_LANE_SIZE: c->opt.lane_size = size("lane size"); break;
      case SHZ_C_FRAME_SIZE: c->opt.frame_size = size("frame size"); break;
      case SHZ_C_MODEL_TRIAL: c->opt.model_trial = value != 0; break;
      case SHZ_C_EMBED_MODEL: c->opt.embed_model = value != 0; break;
      case SHZ_C_SIMD: engine_set_simd(c->opt.engine, value); break;
      case SHZ_C_BATCH: engine_set_batch(c->opt.engine, value); break;
      default: usage("unknown compression parameter " + std::to_string(enum_value(p)));
    }
  });
}

int shz_cctx_set_model(shz_cctx* c, const char* model) {
  if (!c) return SHZ_ERROR_USAGE;
  return guarded(c->error, [&] {
    if (!model || !*model) usage("no model named");
    c->opt.model = model;
  });
}

int shz_cctx_set_device(shz_cctx* c, const char* device) {
  if (!c) return SHZ_ERROR_USAGE;
  return guarded(c->error, [&] { c->opt.device = device_checked(device); });
}

const char* shz_cctx_error(const shz_cctx* c) { return c ? c->error.c_str() : "null context"; }

int shz_compress(shz_cctx* c, const void* src, size_t size, void** dst, size_t* dst_size) {
  if (!c) return SHZ_ERROR_USAGE;
  return guarded(c->error, [&] {
    if (!src && size) usage("the input is null");
    hand_over(shz::compress(static_cast<const uint8_t*>(src), size, c->opt), dst, dst_size);
  });
}

int shz_compress_stream(shz_cctx* c, shz_read_fn in, void* in_opaque, shz_write_fn out, void* out_opaque) {
  if (!c) return SHZ_ERROR_USAGE;
  return guarded(c->error, [&] { shz::compress(reader(in, in_opaque), writer(out, out_opaque), c->opt); });
}

shz_dctx* shz_dctx_create(void) { return new (std::nothrow) shz_dctx; }

void shz_dctx_free(shz_dctx* d) { delete d; }

int shz_dctx_set(shz_dctx* d, shz_dparam p, int64_t value) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] {
    switch (enum_value(p)) {
      case SHZ_D_THREADS:
        if (value < 0 || value > 1024) usage("threads " + std::to_string(value) + " is outside 0..1024");
        d->opt.threads = unsigned(value);
        break;
      case SHZ_D_SIMD: engine_set_simd(d->opt.engine, value); break;
      case SHZ_D_BATCH: engine_set_batch(d->opt.engine, value); break;
      default: usage("unknown decompression parameter " + std::to_string(enum_value(p)));
    }
  });
}

int shz_dctx_set_model(shz_dctx* d, const char* model_file) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] {
    d->opt.model = model_file ? model_file : "";
    if (!d->opt.model.empty()) shz::model_load(d->opt.model, d->opt.device);  // a bad name fails here
  });
}

int shz_dctx_set_device(shz_dctx* d, const char* device) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] { d->opt.device = device_checked(device); });
}

const char* shz_dctx_error(const shz_dctx* d) { return d ? d->error.c_str() : "null context"; }

int shz_decompress(shz_dctx* d, const void* src, size_t size, void** dst, size_t* dst_size) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] {
    if (!src && size) usage("the input is null");
    hand_over(shz::decompress(static_cast<const uint8_t*>(src), size, d->opt), dst, dst_size);
  });
}

int shz_decompress_stream(shz_dctx* d, shz_read_fn in, void* in_opaque, shz_write_fn out, void* out_opaque) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] { shz::decompress(reader(in, in_opaque), writer(out, out_opaque), d->opt); });
}

int shz_decompress_range(shz_dctx* d, const void* src, size_t size, uint64_t start, uint64_t length, void** dst,
                         size_t* dst_size) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] {
    if (!src && size) usage("the input is null");
    const uint8_t* s = static_cast<const uint8_t*>(src);
    std::vector<uint8_t> out;
    shz::decompress_range(
        [s, size](uint64_t at, uint8_t* buf, size_t n) {
          if (at > size || n > size - at) throw shz::Error(shz::ErrorCode::kInput, "truncated at byte " + std::to_string(size));
          std::memcpy(buf, s + at, n);
        },
        size, start, length, [&](const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }, d->opt);
    hand_over(out, dst, dst_size);
  });
}

int shz_stream_info_get(shz_dctx* d, const void* src, size_t size, shz_stream_info* info) {
  if (!d) return SHZ_ERROR_USAGE;
  return guarded(d->error, [&] {
    if (!info) usage("the info pointer is null");
    if (!src && size) usage("the input is null");
    const shz::StreamInfo s = shz::stream_read_info(static_cast<const uint8_t*>(src), size);
    shz_stream_info r{};
    r.original_size = s.original_size();
    r.stream_size = s.stream_size;
    r.frames = s.frames.size();
    for (const shz::ArchiveInfo& f : s.frames) {
      r.segments += f.segments.size();
      r.version = std::max(r.version, f.version);
      r.needs_model |= shz::archive_needs_model(f) ? 1 : 0;
    }
    const shz::ArchiveInfo& first = s.frames.at(0);
    std::strncpy(r.model, first.model.name.c_str(), sizeof r.model - 1);
    r.model_hash = first.model.hash;
    *info = r;
  });
}

}  // extern "C"
