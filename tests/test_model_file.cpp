// Model file validation: each bad case has its own clear error (ggml's gguf loader is the model).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "model/safetensors.h"
#include "model/sharnn/random_model.h"
#include "model/sharnn/sharnn_model.h"
#include "shz/model.h"
#include "shz/shz.h"
#include "util/bytes.h"

using namespace shz;
using namespace shz::sharnn;
using Catch::Contains;

namespace {

std::vector<uint8_t> valid_file() {
  RandomModelSpec spec;
  spec.hp.d_model = 16;
  spec.hp.n_layers = 1;
  spec.hp.attn_layers = {0};
  spec.hp.window = 4;
  spec.hp.boom_dim = 32;
  spec.name = "tiny";
  return random_model_file(spec);
}

std::string header_of(const std::vector<uint8_t>& f) { return std::string(f.begin() + 8, f.begin() + 8 + long(get_le64(f.data()))); }

// The same file with its JSON header replaced (data unchanged).
std::vector<uint8_t> with_header(const std::vector<uint8_t>& f, const std::string& h) {
  const uint64_t old = get_le64(f.data());
  std::vector<uint8_t> out;
  put_le64(out, h.size());
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), f.begin() + 8 + long(old), f.end());
  return out;
}

std::string replaced(std::string s, const std::string& a, const std::string& b) {
  const size_t at = s.find(a);
  REQUIRE(at != std::string::npos);
  return s.replace(at, a.size(), b);
}

std::string load_error(const std::vector<uint8_t>& f) {
  try {
    model_load_bytes(f, "m.shzm");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kModel);
    return e.what();
  }
  FAIL("model loaded");
  return "";
}

}  // namespace

TEST_CASE("model file: a valid file loads and describes itself", "[modelfile]") {
  const auto m = model_load_bytes(valid_file(), "m.shzm");
  CHECK(m->id.name == "tiny");
  CHECK_FALSE(m->builtin);
  CHECK_THAT(m->description, Contains("d=16") && Contains("attention=[0]"));
  CHECK(m->make()->pmf_bits() == 16);
}

TEST_CASE("model file: each container problem has its own message", "[modelfile]") {
  const auto f = valid_file();
  const std::string h = header_of(f);
  CHECK_THAT(load_error({1, 2, 3}), Contains("shorter than 8 bytes"));
  auto big = f;
  big[7] = 0x10;  // header length ~2^60
  CHECK_THAT(load_error(big), Contains("header length") && Contains("exceeds the file"));
  CHECK_THAT(load_error(with_header(f, "[1,2]")), Contains("not a JSON object"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "}", "}}"))), Contains("malformed header JSON"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"head.b\"", "\"head.m\""))), Contains("duplicate tensor 'head.m'"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"dtype\":\"I8\"", "\"dtype\":\"F8\""))),
             Contains("unsupported dtype 'F8'"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"shape\":[256,16]", "\"shape\":[256,17]"))),
             Contains("tensor 'embed.weight': shape [256, 17] of I8 needs 4352 bytes"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"shape\":[256,16]", "\"shape\":[4294967296,4294967296]"))),
             Contains("shape too large"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"data_offsets\":[0,4096]", "\"data_offsets\":[0,99999999]"))),
             Contains("outside the data"));
  auto extra = f;
  extra.push_back(0);
  CHECK_THAT(load_error(extra), Contains("belong to none"));
}

TEST_CASE("model file: each model problem has its own message", "[modelfile]") {
  const auto f = valid_file();
  const std::string h = header_of(f);
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"format_version\":\"1\"", "\"format_version\":\"9\""))),
             Contains("unsupported model format version 9"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"format\":\"shz-model\"", "\"format\":\"gguf\""))),
             Contains("not an shz model file"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"quant\":\"shz-int-v1\"", "\"quant\":\"shz-int-v0\""))),
             Contains("engine arithmetic 'shz-int-v0'"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"d_model\":\"16\"", "\"d_model\":\"24\""))),
             Contains("not a multiple of 16"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"attn_layers\":\"0\"", "\"attn_layers\":\"3\""))),
             Contains("'attn_layers' = 3 is outside 0..0"));
  CHECK_THAT(load_error(with_header(f, replaced(h, ",\"window\":\"4\"", ""))), Contains("metadata lacks 'window'"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"head.b\"", "\"head.c\""))),
             Contains("missing tensor 'head.b'"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"head.b\":{\"dtype\":\"I32\"", "\"head.b\":{\"dtype\":\"I16\""))),
             Contains("I16 needs 512 bytes"));
  // Misshapen but self-consistent: 256 int32 as [16, 16].
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"head.b\":{\"dtype\":\"I32\",\"shape\":[256]",
                                                "\"head.b\":{\"dtype\":\"I32\",\"shape\":[16,16]"))),
             Contains("tensor 'head.b' has the wrong shape (expected [256])"));
  CHECK_THAT(load_error(with_header(f, replaced(h, "\"head.b\":{\"dtype\":\"I32\"", "\"head.b\":{\"dtype\":\"F32\""))),
             Contains("tensor 'head.b' has dtype F32, expected I32"));
}

TEST_CASE("model file: the loader names files it cannot read", "[modelfile]") {
  CHECK_THROWS_WITH(model_load("/nonexistent/model.shzm"), Contains("model file /nonexistent/model.shzm: cannot open"));
  CHECK_THROWS_WITH(model_load("nope"), Contains("unknown model 'nope'"));
}
