// Reading and writing safetensors files: an 8-byte little-endian header length, a JSON
// header mapping tensor names to {dtype, shape, data_offsets} (plus "__metadata__", a map of
// strings), then the tensor bytes, contiguous, little-endian, C order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shz {

struct TensorView {
  std::string dtype;           // "I8", "I16", "I32", "I64", "U8", "F32"
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  size_t size = 0;             // bytes
};

struct SafeTensors {
  std::vector<uint8_t> bytes;  // the whole file; views point into it
  std::map<std::string, std::string> metadata;
  std::map<std::string, TensorView> tensors;
};

// Parses and validates `bytes` (takes ownership). `name` prefixes error messages.
// Throws Error(kModel) naming the first problem: short file, header length, malformed JSON,
// duplicate names, unknown dtype, bad shape, offsets outside the data, overlaps or gaps.
SafeTensors safetensors_parse(std::vector<uint8_t> bytes, const std::string& name);

struct TensorData {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // little-endian, C order
};

// Serialises tensors (in the given order) and metadata to safetensors bytes.
std::vector<uint8_t> safetensors_serialize(const std::map<std::string, std::string>& metadata,
                                           const std::vector<TensorData>& tensors);

// Bytes per element of a dtype, or 0 if unsupported.
size_t safetensors_dtype_size(const std::string& dtype);

}  // namespace shz
