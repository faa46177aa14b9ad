// The CUDA backend against the CPU engine, with equality: pmfs stream by stream at batch
// sizes 1, 7, 64 and 1024, and whole archives both ways (made on the GPU, decoded on the CPU
// and the reverse). Without a usable GPU (or in a build without CUDA) every case says so and
// passes vacuously; tools/device-check runs them on a GPU machine.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine_fixture.h"
#include "model/cuda/cuda_backend.h"
#include "model/sharnn/sharnn_predictor.h"
#include "shz/shz.h"
#include "test_util.h"

using namespace shz;
using namespace shz::sharnn;
using namespace shz::test;

bool shz::test::gpu_or_skip() {
  std::string why;
  if (cuda::available(&why)) return true;
  WARN("CUDA tests skipped: " << why);
  return false;
}

TEST_CASE("cuda: pmfs equal the CPU engine's at batch sizes 1, 7, 64 and 1024", "[cuda][heavy]") {
  if (!gpu_or_skip()) return;
  const auto text = test::corpus("kjv-pentateuch.txt", 300);  // window 24: the ring wraps
  std::vector<std::vector<uint8_t>> others;
  for (int i = 0; i < 16; ++i) others.push_back(test::corpus("jargon-4.4.7.txt", size_t(50 + 29 * i)));
  ShaRnnPredictor ref(small_model(), ModelIdentity{"t", 0}, SimdLevel::kScalar, 1);
  const std::vector<uint32_t> alone = pmfs_of(ref, text, 1, 0, {text});
  // The CPU emulator of tests/cuda_emu runs every GPU thread as a fiber, two seconds a step
  // at a batch of 1024: there the large batches step fewer bytes (64: 100 bytes, past the
  // window and with streams ending; 1024: 8 bytes, the batch's indexing).
  const bool emulated = cuda::device_description().find("emulator") != std::string::npos;
  for (size_t batch : {1u, 7u, 64u, 1024u}) {
    INFO("batch " << batch);
    const size_t n = !emulated || batch < 64 ? text.size() : batch == 64 ? 100 : 8;
    const std::vector<uint8_t> head(text.begin(), text.begin() + long(n));
    const std::vector<uint32_t> want(alone.begin(), alone.begin() + long(256 * n));  // a pmf sees only the past
    auto gpu = cuda::make_predictor(small_model(), ModelIdentity{"t", 0}, batch, test::tuning());
    CHECK(pmfs_of(*gpu, head, 1, 0, {head}) == want);
    CHECK(pmfs_of(*gpu, head, batch, batch / 2, others) == want);  // among busy, ragged streams
  }
}

// Compresses text with o on the CPU and on the GPU (the same archive), and decodes each
// archive with the other backend; returns the CPU's archive.
static std::vector<uint8_t> check_across_backends(CompressOptions o, const std::vector<uint8_t>& text) {
  o.engine = test::tuning();  // SHZ_CUDA_TC=0, SHZ_CUDA_GRAPHS=0 (tools/device-check) reach the GPU's predictors
  o.device = "cpu";
  const auto cpu = compress(text.data(), text.size(), o);
  o.device = "cuda";
  const auto gpu = compress(text.data(), text.size(), o);
  CHECK(gpu == cpu);
  DecompressOptions d;
  d.model = o.model;
  d.threads = o.threads;
  d.engine = o.engine;
  d.device = "cpu";
  CHECK(decompress(gpu.data(), gpu.size(), d) == text);
  d.device = "cuda";
  CHECK(decompress(cpu.data(), cpu.size(), d) == text);
  return cpu;
}

TEST_CASE("cuda: archives equal the CPU's and decode across backends", "[cuda][heavy]") {
  if (!gpu_or_skip()) return;
  CompressOptions o = test::order2_options();
  o.model = write_temp(small_model_bytes(), "cuda.shzm");
  // 29 segments: uneven batches. The emulator (a fiber per GPU thread) steps the same
  // segments and batches on 8,400 bytes, two CPU-minutes less than 20,000.
  const bool emulated = cuda::device_description().find("emulator") != std::string::npos;
  o.segment_size = emulated ? 300 : 700;
  o.threads = 2;
  o.lzma_fallback = false;  // model-coded or stored: the model's pmfs are what is compared
  const auto cpu = check_across_backends(o, test::corpus("jargon-4.4.7.txt", emulated ? 8400 : 20000));
  const ArchiveInfo info = archive_read_info(cpu.data(), cpu.size());
  size_t by_model = 0;
  for (const SegmentInfo& s : info.segments) by_model += segment_uses_model(s.method);
  CHECK(by_model * 2 >= info.segments.size());
  std::remove(o.model.c_str());
}

// Format 7: blocks of context mixing whose lanes step the model as batches, shared by two
// threads (each its own predictor): every pmf the GPU gives must be the CPU's, or the
// archives differ.
TEST_CASE("cuda: context-mixing archives equal the CPU's and decode across backends", "[cuda][cm][heavy]") {
  if (!gpu_or_skip()) return;
  CompressOptions o = test::order2_options();
  o.model = write_temp(small_model_bytes(), "cuda-cm.shzm");
  o.level = kDefaultLevel;
  o.segment_size = 3000;  // two blocks
  o.lane_size = 500;      // six lanes each: batches of three on each of two threads
  o.model_trial = false;  // the model in every block, whether it pays or not
  o.lzma_fallback = false;
  o.threads = 2;
  const auto cpu = check_across_backends(o, test::corpus("jargon-4.4.7.txt", 6000));
  const ArchiveInfo info = archive_read_info(cpu.data(), cpu.size());
  for (const SegmentInfo& s : info.segments) CHECK(s.method == SegmentMethod::kCmModel);
  std::remove(o.model.c_str());
}

TEST_CASE("cuda: --device cuda without a GPU is a clear error", "[cuda]") {
  std::string why;
  if (cuda::available(&why)) return;  // covered by the cases above
  CompressOptions o = test::order2_options();
  o.model = write_temp(small_model_bytes(), "nogpu.shzm");
  o.device = "cuda";
  const std::vector<uint8_t> text(100, 'a');
  CHECK_THROWS_WITH(compress(text.data(), text.size(), o), Catch::Contains("device cuda"));
  std::remove(o.model.c_str());
}
