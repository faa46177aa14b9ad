// Training checkpoints: one LibTorch archive holding the network, the optimiser moments,
// the position in the data, the recurrent state and the training curve, so a resumed run
// continues exactly where it stopped.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "net.h"

namespace shz::train {

struct TrainState {
  nlohmann::json config;            // {"net": ..., "train": ...}: what the run was started with
  uint64_t step = 0;                // optimiser steps taken
  uint64_t bytes_seen = 0;          // training bytes consumed
  uint64_t round = 0;               // rounds of `batch` segments started
  uint64_t offset = 0;              // position inside the current round's segments
  double elapsed_s = 0;             // training time so far, over all resumed runs
  std::vector<torch::Tensor> m, v;  // optimiser moments, one per parameter
  NetState state;                   // recurrent state inside the current round
  nlohmann::json curve = nlohmann::json::array();  // [{bytes, train_bpb, valid_bpb, elapsed_s}]
};

nlohmann::json net_config_to_json(const NetConfig& c);
NetConfig net_config_from_json(const nlohmann::json& j);

// Writes `path` via a temporary file and a rename, so a crash never leaves half a checkpoint.
void save_checkpoint(const std::string& path, ShaRnnNet& net, const TrainState& ts);

// Loads a checkpoint; the network is built from its recorded configuration. Throws
// std::runtime_error for a missing or foreign file.
ShaRnnNet load_checkpoint(const std::string& path, TrainState& ts);

// "auto" (CUDA when LibTorch has it and a GPU is visible), "cpu" or "cuda".
torch::Device pick_device(const std::string& name);
void state_to(NetState& st, torch::Device dev);

// Sum of -log2 p over `spans`, each cut into segments of `segment` bytes that start from a
// fresh state with the byte 0 fed first, exactly as the integer engine codes an archive.
// With `probs`, also every position's predicted distribution, float32 [total bytes][256] in
// the order of the spans' bytes.
double float_eval_bits(ShaRnnNet& net, const std::vector<std::vector<uint8_t>>& spans, uint64_t segment,
                       Calibration* calib = nullptr, std::vector<float>* probs = nullptr);

}  // namespace shz::train
