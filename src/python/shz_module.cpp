// The Python module's native part (shz._shz): compress, decompress, info and eval over the
// library, streaming calls over Python callables, and a range coder driven by pmfs the
// caller supplies. The GIL is released while shz works; callbacks take it back.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "coder/range_coder.h"
#include "shz/shz.h"
#include "coder/user_pmf.h"

namespace py = pybind11;

namespace {

// Python exceptions carry shz's message; the class says what failed (as the CLI's exit code).
py::object g_error, g_usage, g_input, g_model, g_output;

[[noreturn]] void raise(const shz::Error& e) {
  py::object cls = e.code() == shz::ErrorCode::kUsage    ? g_usage
                   : e.code() == shz::ErrorCode::kInput  ? g_input
                   : e.code() == shz::ErrorCode::kModel  ? g_model
                   : e.code() == shz::ErrorCode::kOutput ? g_output
                                                         : g_error;
  PyErr_SetString(cls.ptr(), e.what());
  throw py::error_already_set();
}

// Runs f with the GIL released, turning shz::Error into the module's exceptions.
template <class F>
auto unlocked(F&& f) {
  try {
    py::gil_scoped_release release;
    return f();
  } catch (const shz::Error& e) {
    raise(e);
  }
}

// The bytes of any buffer (bytes, bytearray, memoryview, numpy), contiguous.
struct View {
  py::buffer_info info;
  const uint8_t* data() const { return static_cast<const uint8_t*>(info.ptr); }
  size_t size() const { return size_t(info.size * info.itemsize); }
};
View view(const py::buffer& b) {
  py::buffer_info i = b.request();
  if (i.ndim > 1 && i.strides.back() != i.itemsize) throw py::value_error("the buffer must be contiguous");
  return View{std::move(i)};
}

// SIMD level and batch: how the SHA-RNN runs, never the archive (checked when used).
shz::EngineTuning engine(const std::string& simd, size_t batch) {
  shz::EngineTuning t;
  t.simd = simd;
  t.batch = batch;
  return t;
}

shz::CompressOptions compress_options(std::optional<int> level, std::optional<std::string> model, unsigned threads,
                                      uint64_t frame_size, const std::string& device, const std::string& simd,
                                      size_t batch) {
  shz::CompressOptions o;
  o.model = model.value_or(shz::kDefaultModelName);
  o.level = level.value_or(shz::kDefaultLevel);
  if (o.level < 0 || o.level > shz::kMaxLevel) throw py::value_error("level must be 0..9");
  o.threads = threads;
  o.frame_size = frame_size;
  o.device = device;
  o.engine = engine(simd, batch);
  return o;
}

shz::DecompressOptions decompress_options(std::optional<std::string> model, unsigned threads, const std::string& device,
                                          const std::string& simd, size_t batch) {
  shz::DecompressOptions o;
  o.model = model.value_or("");
  o.threads = threads;
  o.device = device;
  o.engine = engine(simd, batch);
  return o;
}

// ReadFn / WriteFn over Python callables: read(n) -> bytes (b"" at the end), write(bytes).
shz::ReadFn py_reader(py::object read) {
  return [read](uint8_t* buf, size_t n) -> size_t {
    py::gil_scoped_acquire gil;
    py::object got = read(n);
    const std::string s = py::bytes(got);
    if (s.size() > n) throw shz::Error(shz::ErrorCode::kInput, "read() returned more bytes than asked for");
    std::copy(s.begin(), s.end(), buf);
    return s.size();
  };
}

shz::WriteFn py_writer(py::object write) {
  return [write](const uint8_t* buf, size_t n) {
    py::gil_scoped_acquire gil;
    write(py::bytes(reinterpret_cast<const char*>(buf), n));
  };
}

py::dict stream_dict(const shz::StreamInfo& s) {
  py::list frames;
  for (size_t k = 0; k < s.frames.size(); ++k) {
    const shz::ArchiveInfo& f = s.frames[k];
    py::dict methods;
    for (const shz::SegmentInfo& seg : f.segments) {
      const char* m = shz::segment_method_name(seg.method);
      methods[m] = methods.contains(m) ? methods[m].cast<int>() + 1 : 1;
    }
    py::dict d;
    d["offset"] = s.frame_offsets[k];
    d["version"] = f.version;
    d["model"] = f.model.name;
    d["model_builtin"] = f.model_is_builtin;
    d["original_size"] = f.original_size;
    d["archive_size"] = f.archive_size();
    d["segments"] = f.segments.size();
    d["segment_size"] = f.segment_size;
    d["methods"] = methods;
    d["needs_model"] = shz::archive_needs_model(f);
    frames.append(d);
  }
  py::dict d;
  d["original_size"] = s.original_size();
  d["archive_size"] = s.stream_size;
  d["index_size"] = s.index_size();
  d["frames"] = frames;
  return d;
}

// Frequencies from a numpy array: 1-D for one symbol, 2-D (symbols x alphabet) for many.
using Freqs = py::array_t<uint32_t, py::array::c_style | py::array::forcecast>;
using Probs = py::array_t<double, py::array::c_style | py::array::forcecast>;

}  // namespace

PYBIND11_MODULE(_shz, m) {
  m.doc() = "shz's native module (use the shz package)";
  g_error = py::reinterpret_borrow<py::object>(PyErr_NewException("shz.ShzError", PyExc_Exception, nullptr));
  g_usage = py::reinterpret_borrow<py::object>(PyErr_NewException("shz.UsageError", g_error.ptr(), nullptr));
  g_input = py::reinterpret_borrow<py::object>(PyErr_NewException("shz.CorruptError", g_error.ptr(), nullptr));
  g_model = py::reinterpret_borrow<py::object>(PyErr_NewException("shz.ModelError", g_error.ptr(), nullptr));
  g_output = py::reinterpret_borrow<py::object>(PyErr_NewException("shz.OutputError", g_error.ptr(), nullptr));
  m.attr("ShzError") = g_error;
  m.attr("UsageError") = g_usage;
  m.attr("CorruptError") = g_input;
  m.attr("ModelError") = g_model;
  m.attr("OutputError") = g_output;
  m.attr("__version__") = shz::version_string();
  m.attr("DEFAULT_LEVEL") = shz::kDefaultLevel;
  m.attr("MAX_TOTAL_BITS") = shz::kMaxTotalBits;

  m.def("compress", [](const py::buffer& data, std::optional<int> level, std::optional<std::string> model,
                       unsigned threads, uint64_t frame_size, const std::string& device, const std::string& simd,
                       size_t batch) {
        const View v = view(data);
        const shz::CompressOptions o = compress_options(level, model, threads, frame_size, device, simd, batch);
        const std::vector<uint8_t> a = unlocked([&] { return shz::compress(v.data(), v.size(), o); });
        return py::bytes(reinterpret_cast<const char*>(a.data()), a.size());
      },
      py::arg("data"), py::arg("level") = py::none(), py::arg("model") = py::none(), py::arg("threads") = 0,
      py::arg("frame_size") = 0, py::arg("device") = "cpu", py::arg("simd") = "auto", py::arg("batch") = 0);
  m.def("decompress", [](const py::buffer& data, std::optional<std::string> model, unsigned threads,
                         const std::string& device, const std::string& simd, size_t batch) {
        const View v = view(data);
        const shz::DecompressOptions o = decompress_options(model, threads, device, simd, batch);
        const std::vector<uint8_t> d = unlocked([&] { return shz::decompress(v.data(), v.size(), o); });
        return py::bytes(reinterpret_cast<const char*>(d.data()), d.size());
      },
      py::arg("data"), py::arg("model") = py::none(), py::arg("threads") = 0, py::arg("device") = "cpu",
      py::arg("simd") = "auto", py::arg("batch") = 0);
  m.def("decompress_range", [](const py::buffer& data, uint64_t start, uint64_t length, std::optional<std::string> model,
                               unsigned threads) {
        const View v = view(data);
        const shz::DecompressOptions o = decompress_options(model, threads, "cpu", "auto", 0);
        std::vector<uint8_t> out;
        unlocked([&] {
          shz::decompress_range([&](uint64_t at, uint8_t* buf, size_t n) {
            if (at > v.size() || n > v.size() - at) throw shz::Error(shz::ErrorCode::kInput, "truncated archive");
            std::copy(v.data() + at, v.data() + at + n, buf);
          }, v.size(), start, length, [&](const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }, o);
        });
        return py::bytes(reinterpret_cast<const char*>(out.data()), out.size());
      },
      py::arg("data"), py::arg("start"), py::arg("length"), py::arg("model") = py::none(), py::arg("threads") = 0);
  m.def("compress_stream", [](py::object read, py::object write, std::optional<int> level, std::optional<std::string> model,
                              unsigned threads, uint64_t frame_size, const std::string& device,
                              const std::string& simd, size_t batch) {
        const shz::CompressOptions o = compress_options(level, model, threads, frame_size, device, simd, batch);
        const shz::ReadFn in = py_reader(read);
        const shz::WriteFn out = py_writer(write);
        unlocked([&] { shz::compress(in, out, o); });
      },
      py::arg("read"), py::arg("write"), py::arg("level") = py::none(), py::arg("model") = py::none(),
      py::arg("threads") = 0, py::arg("frame_size") = 0, py::arg("device") = "cpu", py::arg("simd") = "auto",
      py::arg("batch") = 0);
  m.def("decompress_stream", [](py::object read, py::object write, std::optional<std::string> model, unsigned threads,
                                const std::string& device, const std::string& simd, size_t batch) {
        const shz::DecompressOptions o = decompress_options(model, threads, device, simd, batch);
        const shz::ReadFn in = py_reader(read);
        const shz::WriteFn out = py_writer(write);
        unlocked([&] { shz::decompress(in, out, o); });
      },
      py::arg("read"), py::arg("write"), py::arg("model") = py::none(), py::arg("threads") = 0, py::arg("device") = "cpu",
      py::arg("simd") = "auto", py::arg("batch") = 0);
  m.def("info", [](const py::buffer& data) {
        const View v = view(data);
        return stream_dict(unlocked([&] { return shz::stream_read_info(v.data(), v.size()); }));
      },
      py::arg("data"));
  m.def("eval_bytes", [](const py::buffer& data, std::optional<std::string> model, unsigned threads, uint64_t segment_size,
                         const std::string& device) {
        const View v = view(data);
        shz::CompressOptions o;
        o.model = model.value_or(shz::kDefaultModelName);
        o.threads = threads;
        o.segment_size = segment_size;
        o.device = device;
        const shz::ModelBits b = unlocked([&] { return shz::model_bits(v.data(), v.size(), o); });
        py::dict d;
        d["bytes"] = b.bytes;
        d["model"] = b.model;
        d["segment_size"] = b.segment_size;
        d["archive_bytes"] = b.archive_bytes;
        d["payload_bytes"] = b.payload_bytes;
        d["bpb"] = b.bpb();
        return d;
      },
      py::arg("data"), py::arg("model") = py::none(), py::arg("threads") = 0, py::arg("segment_size") = 0,
      py::arg("device") = "cpu");

  // Coding with the caller's own pmfs.
  m.def("quantize", [](const Probs& probs, int bits) {
        if (probs.ndim() != 1 && probs.ndim() != 2) throw py::value_error("probs must be 1-D or 2-D");
        const size_t rows = probs.ndim() == 2 ? size_t(probs.shape(0)) : 1;
        const size_t n = size_t(probs.shape(probs.ndim() - 1));
        Freqs out(probs.ndim() == 2 ? std::vector<py::ssize_t>{py::ssize_t(rows), py::ssize_t(n)}
                                    : std::vector<py::ssize_t>{py::ssize_t(n)});
        try {
          for (size_t r = 0; r < rows; ++r) shz::pmf_quantize(probs.data() + r * n, n, bits, out.mutable_data() + r * n);
        } catch (const shz::Error& e) {
          raise(e);
        }
        return out;
      },
      py::arg("probs"), py::arg("bits") = 16,
      "Integer frequencies summing to 2**bits from probabilities, by shz's documented rule");
  py::class_<shz::UserEncoder>(m, "Encoder")
      .def(py::init<>())
      .def("encode", [](shz::UserEncoder& e, py::array_t<int64_t, py::array::forcecast> symbols, const Freqs& freqs) {
            const size_t count = size_t(symbols.size());
            const size_t n = size_t(freqs.shape(freqs.ndim() - 1));
            if (freqs.ndim() == 2 ? size_t(freqs.shape(0)) != count : (freqs.ndim() != 1))
              throw py::value_error("freqs must be one row, or one row per symbol");
            try {
              for (size_t i = 0; i < count; ++i)
                e.encode(symbols.data()[i], freqs.data() + (freqs.ndim() == 2 ? i * n : 0), n);
            } catch (const shz::Error& err) {
              raise(err);
            }
          },
          py::arg("symbols"), py::arg("freqs"))
      .def("finish", [](shz::UserEncoder& e) {
            const std::vector<uint8_t> b = e.finish();
            return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
          })
      .def_property_readonly("bits", &shz::UserEncoder::bits, "Exact information content coded so far: sum of -log2 p");
  py::class_<shz::UserDecoder>(m, "Decoder")
      .def(py::init([](const py::bytes& data) {
             const std::string s = data;
             return shz::UserDecoder(std::vector<uint8_t>(s.begin(), s.end()));
           }),
           py::arg("data"))
      .def("decode", [](shz::UserDecoder& d, const Freqs& freqs, py::ssize_t count) {
            const size_t n = size_t(freqs.shape(freqs.ndim() - 1));
            const size_t rows = freqs.ndim() == 2 ? size_t(freqs.shape(0)) : size_t(count);
            if (freqs.ndim() == 1 && count < 0) throw py::value_error("with one row of freqs, give count");
            py::array_t<int64_t> out{py::ssize_t(rows)};
            try {
              for (size_t i = 0; i < rows; ++i)
                out.mutable_data()[i] = d.decode(freqs.data() + (freqs.ndim() == 2 ? i * n : 0), n);
            } catch (const shz::Error& err) {
              raise(err);
            }
            return out;
          },
          py::arg("freqs"), py::arg("count") = -1)
      .def("finished_cleanly", &shz::UserDecoder::finished_cleanly,
           "True when every byte was consumed exactly as the encoder wrote it");
}
