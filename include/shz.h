/* shz's C API: compress to and decompress from .shz streams (docs/FORMAT.md) from C and from
 * other languages' bindings. Contexts carry typed parameters, as zstd's do; every call
 * returns SHZ_OK (0) or an error code, and shz_cctx_error / shz_dctx_error give the last
 * error's message (no CLI flag named). A context serves one thread at a time; contexts are
 * independent of each other. Archives are byte-identical to the CLI's for the same
 * parameters, whatever the thread count. Link with -lshz (pkg-config shz; CMake:
 * find_package(shz) and the target shz::shz). */
#ifndef SHZ_H
#define SHZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHZ_VERSION_MAJOR 0
#define SHZ_VERSION_MINOR 1
#define SHZ_VERSION_PATCH 0

typedef enum {
  SHZ_OK = 0,
  SHZ_ERROR_USAGE = 1,    /* a bad parameter or argument */
  SHZ_ERROR_INPUT = 2,    /* not an archive, corrupt or truncated data; a read callback failed */
  SHZ_ERROR_MODEL = 3,    /* the archive needs a model this library does not have */
  SHZ_ERROR_OUTPUT = 4,   /* a write callback failed */
  SHZ_ERROR_MEMORY = 5,   /* out of memory */
  SHZ_ERROR_INTERNAL = 6  /* anything else (a bug: please report it) */
} shz_status;

/* Compression parameters (shz_cctx_set). */
typedef enum {
  SHZ_C_LEVEL = 1,     /* 1..9 (default 6, as the CLI's); 0: format 5, before context mixing */
  SHZ_C_THREADS,       /* worker threads; 0 (default): one per core. Never changes the archive */
  SHZ_C_SEGMENT_SIZE,  /* bytes per segment or block; 0 (default): the level's choice */
  SHZ_C_LANE_SIZE,     /* bytes per lane of a block; 0 (default): the level's choice */
  SHZ_C_FRAME_SIZE,    /* inputs longer than this become frames; 0 (default): 64 MiB */
  SHZ_C_MODEL_TRIAL,   /* 1 (default): leave the model out where it does not pay; 0: always use it */
  SHZ_C_EMBED_MODEL,   /* 1: store a model file in the archive; 0 (default) */
  SHZ_C_SIMD,          /* the SHA-RNN's CPU kernels, a shz_simd (default SHZ_SIMD_AUTO). Never changes the archive */
  SHZ_C_BATCH          /* streams a predictor steps at once, 1..4096; 0 (default): the engine's choice. Never
                          changes the archive */
} shz_cparam;

/* Decompression parameters (shz_dctx_set). */
typedef enum {
  SHZ_D_THREADS = 1, /* worker threads; 0 (default): one per core */
  SHZ_D_SIMD,        /* as SHZ_C_SIMD; never changes the output */
  SHZ_D_BATCH        /* as SHZ_C_BATCH; never changes the output */
} shz_dparam;

/* SIMD levels of the SHA-RNN's CPU kernels (SHZ_C_SIMD, SHZ_D_SIMD); a level this CPU lacks
 * is SHZ_ERROR_USAGE. Every level computes the same probabilities. */
typedef enum {
  SHZ_SIMD_AUTO = 0, /* the best this CPU has */
  SHZ_SIMD_SCALAR = 1,
  SHZ_SIMD_AVX2 = 2,
  SHZ_SIMD_AVX512 = 3 /* AVX-512 with VNNI */
} shz_simd;

/* Pulls up to n bytes into buf; returns how many, 0 at the end, (size_t)-1 on an error. */
typedef size_t (*shz_read_fn)(void* opaque, void* buf, size_t n);
/* Consumes n bytes; returns 0, or nonzero to stop the call with SHZ_ERROR_OUTPUT. */
typedef int (*shz_write_fn)(void* opaque, const void* buf, size_t n);

typedef struct shz_cctx shz_cctx;
typedef struct shz_dctx shz_dctx;

const char* shz_version(void); /* e.g. "0.1.0" */
/* Frees a buffer the library allocated (shz_compress, shz_decompress, ...). */
void shz_free(void* p);

shz_cctx* shz_cctx_create(void); /* NULL when out of memory */
void shz_cctx_free(shz_cctx* c);
int shz_cctx_set(shz_cctx* c, shz_cparam p, int64_t value);
/* "default" (the built-in SHA-RNN, the default), another built-in name, or a model file. */
int shz_cctx_set_model(shz_cctx* c, const char* model);
/* "cpu" (default), "cuda" or "auto": where SHA-RNN models run; never changes the archive. */
int shz_cctx_set_device(shz_cctx* c, const char* device);
const char* shz_cctx_error(const shz_cctx* c); /* "" when the last call succeeded */

/* Compresses src[0..size) into *dst (allocated; shz_free it), *dst_size bytes. */
int shz_compress(shz_cctx* c, const void* src, size_t size, void** dst, size_t* dst_size);
/* Compresses what `in` gives until its end, writing frames to `out` as they are done, in
 * memory bounded by the frame size: the same bytes as shz_compress of the whole input. */
int shz_compress_stream(shz_cctx* c, shz_read_fn in, void* in_opaque, shz_write_fn out, void* out_opaque);

shz_dctx* shz_dctx_create(void);
void shz_dctx_free(shz_dctx* d);
int shz_dctx_set(shz_dctx* d, shz_dparam p, int64_t value);
/* A model file, for archives made with one that do not embed it (NULL or "": none). */
int shz_dctx_set_model(shz_dctx* d, const char* model_file);
int shz_dctx_set_device(shz_dctx* d, const char* device);
const char* shz_dctx_error(const shz_dctx* d);

/* Decodes a whole stream (frames, archives concatenated) held in memory into *dst. */
int shz_decompress(shz_dctx* d, const void* src, size_t size, void** dst, size_t* dst_size);
/* Decodes what `in` gives, writing each segment to `out` once its checksum matched. */
int shz_decompress_stream(shz_dctx* d, shz_read_fn in, void* in_opaque, shz_write_fn out, void* out_opaque);
/* Original bytes [start, start + length) of the stream in memory (length clipped at the
 * end), decoding only the frames that hold them. */
int shz_decompress_range(shz_dctx* d, const void* src, size_t size, uint64_t start, uint64_t length, void** dst,
                         size_t* dst_size);

typedef struct {
  uint64_t original_size; /* bytes the stream decodes to */
  uint64_t stream_size;   /* bytes of the stream */
  uint64_t frames;        /* archive frames */
  uint64_t segments;      /* segments (blocks) of all frames */
  unsigned version;       /* newest format version among the frames */
  int needs_model;        /* 1 when decoding needs the model named below */
  char model[65];         /* the first frame's model name */
  uint64_t model_hash;    /* its xxh64 */
} shz_stream_info;

/* Describes a stream in memory, checking its structure and header checksums (not its payloads). */
int shz_stream_info_get(shz_dctx* d, const void* src, size_t size, shz_stream_info* info);

#ifdef __cplusplus
}
#endif

#endif /* SHZ_H */
