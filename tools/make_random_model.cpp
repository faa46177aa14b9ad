// Writes a seeded random SHA-RNN model file (a test/benchmark fixture, not a trained model).
// Usage: make_random_model -o FILE [--d 256] [--layers 2] [--attn 1] [--window 1024]
//        [--boom 1024] [--seed 1] [--name random]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

#include "model/sharnn/random_model.h"
#include "shz/shz.h"

int main(int argc, char** argv) {
  shz::sharnn::RandomModelSpec spec;
  spec.hp.d_model = 256;
  spec.hp.n_layers = 2;
  spec.hp.window = 1024;
  spec.hp.boom_dim = 1024;
  std::string out, attn = "1";
  CLI::App app{"Write a seeded random SHA-RNN model file (test and benchmark fixture)"};
  app.add_option("-o,--output", out, "Model file to write")->required();
  app.add_option("--d", spec.hp.d_model, "Model width");
  app.add_option("--layers", spec.hp.n_layers, "Number of layers");
  app.add_option("--attn", attn, "Comma-separated attention layers (empty: none)");
  app.add_option("--window", spec.hp.window, "Attention window");
  app.add_option("--boom", spec.hp.boom_dim, "Boom hidden size");
  app.add_option("--seed", spec.seed, "Random seed");
  app.add_option("--name", spec.name, "Model name recorded in archives");
  CLI11_PARSE(app, argc, argv);
  std::map<std::string, std::string> meta{{"format", "shz-model"}, {"format_version", "1"}, {"arch", "sha-rnn"},
                                          {"quant", "shz-int-v1"}, {"d_model", std::to_string(spec.hp.d_model)},
                                          {"n_layers", std::to_string(spec.hp.n_layers)},
                                          {"window", std::to_string(spec.hp.window)},
                                          {"boom_dim", std::to_string(spec.hp.boom_dim)}, {"attn_layers", attn}};
  try {
    spec.hp = shz::sharnn::model_hparams_from_metadata(meta, "make_random_model");
    const std::vector<uint8_t> bytes = shz::sharnn::random_model_file(spec);
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) throw shz::Error(shz::ErrorCode::kOutput, out + ": write error");
    std::fprintf(stderr, "%s: %zu bytes\n", out.c_str(), bytes.size());
  } catch (const shz::Error& e) {
    std::fprintf(stderr, "make_random_model: %s\n", e.what());
    return int(e.code());
  }
  return 0;
}
