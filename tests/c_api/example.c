/* The C API in a few lines: compress a file to FILE.shz as a stream (bounded memory),
 * then decode it back in memory and check it. Build: cc example.c $(pkg-config --cflags
 * --libs shz). Usage: example FILE [LEVEL] */
#include <shz.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t read_file(void* f, void* buf, size_t n) {
  size_t k = fread(buf, 1, n, (FILE*)f);
  return k < n && ferror((FILE*)f) ? (size_t)-1 : k;
}

static int write_file(void* f, const void* buf, size_t n) { return fwrite(buf, 1, n, (FILE*)f) == n ? 0 : 1; }

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [LEVEL]\n", argv[0]);
    return 1;
  }
  char out_name[4096];
  snprintf(out_name, sizeof out_name, "%s.shz", argv[1]);
  FILE* in = fopen(argv[1], "rb");
  FILE* out = fopen(out_name, "wb");
  if (!in || !out) {
    perror("open");
    return 1;
  }
  shz_cctx* c = shz_cctx_create();
  if (argc > 2) shz_cctx_set(c, SHZ_C_LEVEL, atoi(argv[2]));
  int rc = shz_compress_stream(c, read_file, in, write_file, out);
  if (rc != SHZ_OK) fprintf(stderr, "compress: %s\n", shz_cctx_error(c));
  shz_cctx_free(c);
  fclose(in);
  if (fclose(out) != 0 || rc != SHZ_OK) return 2;

  /* Read both back and compare. */
  FILE* a = fopen(out_name, "rb");
  FILE* o = fopen(argv[1], "rb");
  fseek(a, 0, SEEK_END);
  fseek(o, 0, SEEK_END);
  size_t an = (size_t)ftell(a), on = (size_t)ftell(o);
  rewind(a);
  rewind(o);
  unsigned char* archive = malloc(an ? an : 1);
  unsigned char* original = malloc(on ? on : 1);
  if (fread(archive, 1, an, a) != an || fread(original, 1, on, o) != on) return 1;
  fclose(a);
  fclose(o);
  shz_dctx* d = shz_dctx_create();
  void* back = NULL;
  size_t back_n = 0;
  rc = shz_decompress(d, archive, an, &back, &back_n);
  if (rc != SHZ_OK) {
    fprintf(stderr, "decompress: %s\n", shz_dctx_error(d));
    return 2;
  }
  int same = back_n == on && memcmp(back, original, on) == 0;
  printf("%s: %zu -> %zu bytes (%.3f bits per byte), round trip %s\n", argv[1], on, an, on ? 8.0 * an / on : 0.0,
         same ? "OK" : "DIFFERS");
  shz_free(back);
  shz_dctx_free(d);
  free(archive);
  free(original);
  return same ? 0 : 3;
}
