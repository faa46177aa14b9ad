#include "safetensors.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "shz/shz.h"
#include "util/bytes.h"

namespace shz {
namespace {

constexpr uint64_t kMaxHeader = uint64_t(100) << 20;  // the safetensors reference limit

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  throw Error(ErrorCode::kModel, file + ": " + what);
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

}  // namespace

size_t safetensors_dtype_size(const std::string& d) {
  if (d == "I8" || d == "U8") return 1;
  if (d == "I16") return 2;
  if (d == "I32" || d == "F32") return 4;
  if (d == "I64") return 8;
  return 0;
}

SafeTensors safetensors_parse(std::vector<uint8_t> bytes, const std::string& file) {
  SafeTensors st;
  st.bytes = std::move(bytes);
  const std::vector<uint8_t>& b = st.bytes;
  if (b.size() < 8) bad(file, "not a safetensors model file (shorter than 8 bytes)");
  const uint64_t hlen = get_le64(b.data());
  if (hlen > b.size() - 8 || hlen > kMaxHeader)
    bad(file, "header length " + std::to_string(hlen) + " exceeds the file (" + std::to_string(b.size()) + " bytes)");
  if (hlen < 2 || b[8] != '{') bad(file, "not a safetensors model file (header is not a JSON object)");

  // Parse with a callback that catches duplicate top-level names (a plain parse keeps the last).
  std::set<std::string> seen;
  std::string dup;
  auto cb = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    if (ev == nlohmann::json::parse_event_t::key && depth == 1) {
      const std::string k = parsed.get<std::string>();
      if (!seen.insert(k).second && dup.empty()) dup = k;
    }
    return true;
  };
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(b.begin() + 8, b.begin() + 8 + long(hlen), cb);
  } catch (const nlohmann::json::exception& e) {
    bad(file, std::string("malformed header JSON (") + e.what() + ")");
  }
  if (!dup.empty()) bad(file, "duplicate tensor '" + dup + "'");
  if (!h.is_object()) bad(file, "header is not a JSON object");

  const uint64_t data_size = b.size() - 8 - hlen;
  const uint8_t* data = b.data() + 8 + hlen;
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  std::vector<std::string> names;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& t = it.value();
    if (name == "__metadata__") {
      if (!t.is_object()) bad(file, "__metadata__ is not an object");
      for (auto m = t.begin(); m != t.end(); ++m) {
        if (!m.value().is_string()) bad(file, "metadata '" + m.key() + "' is not a string");
        st.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (!t.is_object()) bad(file, where + " is not an object");
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!t.contains(field)) bad(file, where + " has no '" + field + "'");
    if (!t["dtype"].is_string()) bad(file, where + ": dtype is not a string");
    TensorView v;
    v.dtype = t["dtype"].get<std::string>();
    const size_t esize = safetensors_dtype_size(v.dtype);
    if (esize == 0) bad(file, where + ": unsupported dtype '" + v.dtype + "'");
    if (!t["shape"].is_array()) bad(file, where + ": shape is not an array");
    uint64_t count = 1;
    for (const auto& dim : t["shape"]) {
      if (!dim.is_number_unsigned()) bad(file, where + ": shape has a non-integer or negative dimension");
      const uint64_t n = dim.get<uint64_t>();
      if (n != 0 && count > (uint64_t(1) << 40) / n) bad(file, where + ": shape too large");
      count *= n;
      v.shape.push_back(int64_t(n));
    }
    const auto& off = t["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      bad(file, where + ": data_offsets is not a pair of offsets");
    const uint64_t lo = off[0].get<uint64_t>(), hi = off[1].get<uint64_t>();
    if (lo > hi || hi > data_size)
      bad(file, where + ": data_offsets [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "] outside the data (" + std::to_string(data_size) + " bytes)");
    if (hi - lo != count * esize)
      bad(file, where + ": shape " + shape_text(v.shape) + " of " + v.dtype + " needs " +
                    std::to_string(count * esize) + " bytes, data_offsets give " + std::to_string(hi - lo));
    v.data = data + lo;
    v.size = size_t(hi - lo);
    extents.push_back({lo, hi});
    st.tensors[name] = v;
  }
  // The data must be covered exactly: no overlaps, no holes (as the format requires).
  std::sort(extents.begin(), extents.end());
  uint64_t at = 0;
  for (const auto& e : extents) {
    if (e.first != at) bad(file, "tensor data overlaps or leaves a gap at byte " + std::to_string(std::min(at, e.first)));
    at = e.second;
  }
  if (at != data_size) bad(file, std::to_string(data_size - at) + " bytes after the last tensor belong to none");
  return st;
}

std::vector<uint8_t> safetensors_serialize(const std::map<std::string, std::string>& metadata,
                                           const std::vector<TensorData>& tensors) {
  nlohmann::ordered_json h;
  if (!metadata.empty()) h["__metadata__"] = metadata;
  uint64_t at = 0;
  for (const TensorData& t : tensors) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {at, at + t.data.size()}}};
    at += t.data.size();
  }
  std::string text = h.dump();
  while ((text.size() + 8) % 8 != 0) text.push_back(' ');  // align the data, as the reference writer does
  std::vector<uint8_t> out;
  put_le64(out, text.size());
  out.insert(out.end(), text.begin(), text.end());
  for (const TensorData& t : tensors) out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

}  // namespace shz
