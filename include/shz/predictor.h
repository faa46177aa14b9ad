// The byte-model interface every shz model implements (order2 now, the SHA-RNN engine next).
//
// A predictor owns `streams` independent slots. Each slot holds the state of one segment
// being coded; slots never influence each other. One step of a slot is:
//   predict -> the integer pmf of its next byte;   update -> feed the byte that really came.
// Calls list the slots they touch, so a caller can run many segments of unequal length
// in lock-step as one batch (the neural engine turns this into matrix-matrix products).
// Contract: for a given model, the pmfs of a slot depend only on the bytes fed to that
// slot since its reset, never on the batch size, the other slots, threads or the machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace shz {

struct ModelIdentity {
  std::string name;   // e.g. "order2"; ASCII, 1..64 bytes
  uint64_t hash = 0;  // xxh64 identifying the exact model (revision of a built-in, or file hash)
};

class Predictor {
 public:
  virtual ~Predictor() = default;

  // Identity recorded in archives: decoding needs a predictor with the same identity.
  virtual ModelIdentity identity() const = 0;
  // Each pmf sums to 2^pmf_bits(); 8 <= pmf_bits() <= 24.
  virtual int pmf_bits() const = 0;
  // Preferred number of slots (1 for models with no batch speed-up).
  virtual size_t preferred_streams() const = 0;
  // Segment size the encoder uses when the user gives none.
  virtual uint64_t default_segment_size() const = 0;

  // Allocates `streams` slots, all in the fresh state. Discards earlier slots.
  virtual void begin(size_t streams) = 0;
  // Returns slot `slot` to the fresh state (a new segment starts there).
  virtual void reset(size_t slot) = 0;
  // Writes the pmf of the next byte of each listed slot to pmfs[i*256 .. i*256+255].
  virtual void predict(const size_t* slots, size_t n, uint32_t* pmfs) = 0;
  // Advances each listed slot by the byte bytes[i] that came next.
  virtual void update(const size_t* slots, size_t n, const uint8_t* bytes) = 0;
};

// Creates the built-in model called `name`; throws shz::Error (kUsage) for an unknown name.
std::unique_ptr<Predictor> predictor_create(const std::string& name);

// Names of the built-in models, comma separated (for help and error messages).
std::string predictor_builtin_names();

}  // namespace shz
