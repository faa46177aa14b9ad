/* The C API's contract, from C: defaults as the CLI's, parameters checked, statuses and
 * messages, streams and ranges, and an archive byte-identical to the CLI's (the test
 * script compares the file this writes with shz's). Usage: c_api_test INPUT OUT.shz */
#include <shz.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

struct memory {
  const unsigned char* data;
  size_t size, pos;
  unsigned char* out;
  size_t out_n, out_cap;
};

static size_t mem_read(void* p, void* buf, size_t n) {
  struct memory* m = p;
  size_t k = m->size - m->pos < n ? m->size - m->pos : n;
  if (k > 100) k = 100; /* short reads, as a pipe gives */
  memcpy(buf, m->data + m->pos, k);
  m->pos += k;
  return k;
}

static int mem_write(void* p, const void* buf, size_t n) {
  struct memory* m = p;
  if (m->out_n + n > m->out_cap) {
    m->out_cap = (m->out_n + n) * 2;
    m->out = realloc(m->out, m->out_cap);
  }
  memcpy(m->out + m->out_n, buf, n);
  m->out_n += n;
  return 0;
}

static int failing_write(void* p, const void* buf, size_t n) {
  (void)p, (void)buf, (void)n;
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  FILE* f = fopen(argv[1], "rb");
  if (!f) return 2;
  static unsigned char text[1 << 20];
  const size_t n = fread(text, 1, sizeof text, f);
  fclose(f);
  CHECK(strcmp(shz_version(), "0.1.0") == 0);

  /* Defaults: the CLI's (default model, level 6); the archive goes to argv[2] for the
   * script to compare with `shz -c`. */
  shz_cctx* c = shz_cctx_create();
  void* a = NULL;
  size_t an = 0;
  CHECK(shz_compress(c, text, n, &a, &an) == SHZ_OK);
  CHECK(strcmp(shz_cctx_error(c), "") == 0);
  FILE* o = fopen(argv[2], "wb");
  fwrite(a, 1, an, o);
  fclose(o);

  shz_dctx* d = shz_dctx_create();
  void* back = NULL;
  size_t bn = 0;
  CHECK(shz_decompress(d, a, an, &back, &bn) == SHZ_OK);
  CHECK(bn == n && memcmp(back, text, n) == 0);
  shz_free(back);
  shz_stream_info info;
  CHECK(shz_stream_info_get(d, a, an, &info) == SHZ_OK);
  CHECK(info.original_size == n && info.stream_size == an && info.frames == 1 && info.version == 10);
  CHECK(strcmp(info.model, "shz-small-v5") == 0 || info.model[0] != 0);

  /* Frames through the stream calls (short reads), then a range of them. */
  shz_cctx* c2 = shz_cctx_create();
  CHECK(shz_cctx_set_model(c2, "order2") == SHZ_OK);
  CHECK(shz_cctx_set(c2, SHZ_C_LEVEL, 1) == SHZ_OK);
  CHECK(shz_cctx_set(c2, SHZ_C_FRAME_SIZE, 4096) == SHZ_OK);
  CHECK(shz_cctx_set(c2, SHZ_C_THREADS, 2) == SHZ_OK);
  struct memory m = {text, n, 0, NULL, 0, 0};
  CHECK(shz_compress_stream(c2, mem_read, &m, mem_write, &m) == SHZ_OK);
  void* whole = NULL;
  size_t wn = 0;
  CHECK(shz_compress(c2, text, n, &whole, &wn) == SHZ_OK);
  CHECK(wn == m.out_n && memcmp(whole, m.out, wn) == 0);
  CHECK(shz_stream_info_get(d, whole, wn, &info) == SHZ_OK);
  CHECK(info.frames == (n + 4095) / 4096);
  struct memory back_m = {whole, wn, 0, NULL, 0, 0};
  CHECK(shz_decompress_stream(d, mem_read, &back_m, mem_write, &back_m) == SHZ_OK);
  CHECK(back_m.out_n == n && memcmp(back_m.out, text, n) == 0);
  void* part = NULL;
  size_t pn = 0;
  CHECK(shz_decompress_range(d, whole, wn, 5000, 3000, &part, &pn) == SHZ_OK);
  CHECK(pn == 3000 && memcmp(part, text + 5000, 3000) == 0);
  shz_free(part);

  /* Engine tuning is the context's own: scalar kernels at batch 3 give the same archive as the
   * defaults (the model coding every block), and decode it with the same tuning. */
  {
    const size_t k = n < 2000 ? n : 2000; /* the scalar kernels: the slowest run of this test */
    shz_cctx* t1 = shz_cctx_create();
    shz_cctx* t2 = shz_cctx_create();
    CHECK(shz_cctx_set(t1, SHZ_C_MODEL_TRIAL, 0) == SHZ_OK && shz_cctx_set(t2, SHZ_C_MODEL_TRIAL, 0) == SHZ_OK);
    CHECK(shz_cctx_set(t2, SHZ_C_SIMD, SHZ_SIMD_SCALAR) == SHZ_OK);
    CHECK(shz_cctx_set(t2, SHZ_C_BATCH, 3) == SHZ_OK);
    void *x1 = NULL, *x2 = NULL, *xb = NULL;
    size_t n1 = 0, n2 = 0, nb = 0;
    CHECK(shz_compress(t1, text, k, &x1, &n1) == SHZ_OK);
    CHECK(shz_compress(t2, text, k, &x2, &n2) == SHZ_OK);
    CHECK(n1 == n2 && memcmp(x1, x2, n1) == 0);
    shz_dctx* dt = shz_dctx_create();
    CHECK(shz_dctx_set(dt, SHZ_D_SIMD, SHZ_SIMD_SCALAR) == SHZ_OK && shz_dctx_set(dt, SHZ_D_BATCH, 1) == SHZ_OK);
    CHECK(shz_decompress(dt, x1, n1, &xb, &nb) == SHZ_OK);
    CHECK(nb == k && memcmp(xb, text, k) == 0);
    CHECK(shz_cctx_set(t2, SHZ_C_SIMD, 9) == SHZ_ERROR_USAGE);
    CHECK(shz_cctx_set(t2, SHZ_C_BATCH, 5000) == SHZ_ERROR_USAGE);
    CHECK(shz_dctx_set(dt, SHZ_D_SIMD, -1) == SHZ_ERROR_USAGE);
    shz_free(x1);
    shz_free(x2);
    shz_free(xb);
    shz_cctx_free(t1);
    shz_cctx_free(t2);
    shz_dctx_free(dt);
  }

  /* Errors: a status, a message naming the problem and no CLI flag; the context stays usable. */
  CHECK(shz_cctx_set(c2, SHZ_C_LEVEL, 10) == SHZ_ERROR_USAGE);
  CHECK(strstr(shz_cctx_error(c2), "level 10") != NULL);
  CHECK(shz_cctx_set(c2, (shz_cparam)99, 1) == SHZ_ERROR_USAGE);
  CHECK(shz_cctx_set_device(c2, "tpu") == SHZ_ERROR_USAGE);
  CHECK(shz_compress_stream(c2, mem_read, &m, failing_write, NULL) == SHZ_ERROR_OUTPUT);
  unsigned char junk[64] = {0x89, 'S', 'H', 'Z', 9, 0};
  CHECK(shz_decompress(d, junk, sizeof junk, &back, &bn) == SHZ_ERROR_INPUT);
  CHECK(strstr(shz_dctx_error(d), "--") == NULL && strlen(shz_dctx_error(d)) > 0);
  CHECK(shz_decompress(d, "hello", 5, &back, &bn) == SHZ_ERROR_INPUT);
  CHECK(strstr(shz_dctx_error(d), "not a shz archive") != NULL);
  CHECK(shz_dctx_set_model(d, "/no/such/model.shzm") != SHZ_OK);
  CHECK(shz_dctx_set_model(d, NULL) == SHZ_OK);
  CHECK(shz_cctx_set_model(c2, "no-such-model") == SHZ_OK); /* checked when used */
  CHECK(shz_compress(c2, text, 100, &back, &bn) != SHZ_OK);
  CHECK(strstr(shz_cctx_error(c2), "no-such-model") != NULL);
  CHECK(shz_decompress(d, whole, wn, &back, &bn) == SHZ_OK); /* still usable after errors */
  shz_free(back);

  shz_free(a);
  shz_free(whole);
  free(m.out);
  free(back_m.out);
  shz_cctx_free(c);
  shz_cctx_free(c2);
  shz_dctx_free(d);
  if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
  else printf("c_api: all checks passed\n");
  return failures ? 1 : 0;
}
