#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "model/sharnn/kernels.h"

namespace shz::bench {
namespace {

double mbps(uint64_t bytes, double s) { return s > 0 ? double(bytes) / s / 1e6 : 0; }

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

}  // namespace

Machine machine_describe() {
  Machine m;
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) {
      m.cpu = line.substr(line.find(':') + 2);
      break;
    }
  m.cores = std::thread::hardware_concurrency();
  m.simd = sharnn::simd_name(sharnn::simd_detect());
  return m;
}

std::string machine_name(const Machine& m) {
  return m.cpu + ", " + std::to_string(m.cores) + " cores, SIMD " + m.simd;
}

namespace {

// The line above a table: the machine, or each machine with the compressors timed on it.
std::string machines_line(const Machine& m, const std::vector<Result>& results) {
  std::vector<std::pair<std::string, std::vector<std::string>>> by;  // machine -> compressors
  for (const Result& r : results) {
    if (r.compress_s <= 0) continue;  // published sizes: not timed
    const std::string name = r.machine.empty() ? machine_name(m) : r.machine;
    auto it = std::find_if(by.begin(), by.end(), [&](const auto& e) { return e.first == name; });
    if (it == by.end()) it = by.insert(by.end(), {name, {}});
    if (std::find(it->second.begin(), it->second.end(), r.codec) == it->second.end()) it->second.push_back(r.codec);
  }
  if (by.size() <= 1) return "Machine: " + (by.empty() ? machine_name(m) : by[0].first) + ".\n\n";
  std::string out = "Machines (speeds compare only within one): ";
  for (size_t i = 0; i < by.size(); ++i) {
    out += (i ? "; " : "") + by[i].first + ": ";
    for (size_t k = 0; k < by[i].second.size(); ++k) out += (k ? ", " : "") + by[i].second[k];
  }
  return out + ".\n\n";
}

}  // namespace

std::string report_markdown(const Machine& m, const std::vector<Result>& results) {
  std::vector<std::string> codecs, files;
  std::map<std::pair<std::string, std::string>, const Result*> at;
  std::map<std::string, uint64_t> original;
  for (const Result& r : results) {
    if (std::find(codecs.begin(), codecs.end(), r.codec) == codecs.end()) codecs.push_back(r.codec);
    if (std::find(files.begin(), files.end(), r.corpus) == files.end()) files.push_back(r.corpus);
    at[{r.corpus, r.codec}] = &r;
    original[r.corpus] = r.original;
  }
  auto commas = [](uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
    return s;
  };
  std::string out = machines_line(m, results);
  out += "| file | bytes |";
  for (const std::string& c : codecs) out += " " + c + " |";
  out += "\n|---|---:|";
  for (size_t i = 0; i < codecs.size(); ++i) out += "---:|";
  out += "\n";
  uint64_t total_in = 0;
  std::map<std::string, uint64_t> total_out;
  std::map<std::string, double> total_c, total_d, peak;
  std::map<std::string, bool> complete;
  for (const std::string& c : codecs) complete[c] = true;
  for (const std::string& f : files) {
    total_in += original[f];
    out += "| " + f + " | " + commas(original[f]) + " |";
    for (const std::string& c : codecs) {
      auto it = at.find({f, c});
      if (it == at.end() || !it->second->ok) {
        out += " — |";
        complete[c] = false;
        continue;
      }
      const Result& r = *it->second;
      out += " " + commas(r.compressed) + " (" + fmt("%.3f", r.bpb()) + ") |";
      total_out[c] += r.compressed;
      total_c[c] += r.compress_s;
      total_d[c] += r.decompress_s;
      peak[c] = std::max(peak[c], r.peak_mib);
    }
    out += "\n";
  }
  out += "| **total** | " + commas(total_in) + " |";
  for (const std::string& c : codecs)
    out += complete[c] ? " **" + commas(total_out[c]) + "** (" + fmt("%.3f", 8.0 * double(total_out[c]) / double(total_in)) + ") |"
                       : " — |";
  out += "\n\n| compressor | total bytes | bpb | compress KB/s | decompress KB/s | peak MiB |\n|---|---:|---:|---:|---:|---:|\n";
  for (const std::string& c : codecs) {
    if (!complete[c]) continue;
    const bool timed = total_c[c] > 0;  // published sizes have no times
    out += "| " + c + " | " + commas(total_out[c]) + " | " + fmt("%.3f", 8.0 * double(total_out[c]) / double(total_in)) +
           " | " + (timed ? fmt("%.1f", double(total_in) / 1e3 / total_c[c]) : "—") + " | " +
           (timed ? fmt("%.1f", double(total_in) / 1e3 / std::max(total_d[c], 1e-9)) : "—") + " | " +
           (timed ? fmt("%.0f", peak[c]) : "—") + " |\n";
  }
  return out;
}

std::string report_table(const std::vector<Result>& results) {
  std::string out;
  char line[512];
  std::string corpus;
  for (const Result& r : results) {
    if (r.corpus != corpus) {
      corpus = r.corpus;
      std::snprintf(line, sizeof line, "\n%s (%llu bytes)\n  %-28s %12s %8s %11s %11s %9s  %s\n", corpus.c_str(),
                    (unsigned long long)r.original, "compressor", "bytes", "bpb", "comp MB/s", "dec MB/s",
                    "peak MiB", "check");
      out += line;
    }
    if (r.ok)
      std::snprintf(line, sizeof line, "  %-28s %12llu %8.3f %11.3f %11.3f %9.1f  ok\n", r.codec.c_str(),
                    (unsigned long long)r.compressed, r.bpb(), mbps(r.original, r.compress_s),
                    mbps(r.original, r.decompress_s), r.peak_mib);
    else
      std::snprintf(line, sizeof line, "  %-28s %12s %8s %11s %11s %9s  FAILED: %s\n", r.codec.c_str(), "-", "-", "-",
                    "-", "-", r.error.c_str());
    out += line;
  }
  return out;
}

std::string report_csv(const std::vector<Result>& results) {
  std::string out =
      "corpus,compressor,version,original_bytes,compressed_bytes,bpb,compress_MBps,decompress_MBps,peak_MiB,roundtrip\n";
  for (const Result& r : results) {
    out += r.corpus + ",\"" + r.codec + "\",\"" + r.version + "\"," + std::to_string(r.original) + "," +
           std::to_string(r.compressed) + "," + fmt("%.4f", r.bpb()) + "," + fmt("%.4f", mbps(r.original, r.compress_s)) +
           "," + fmt("%.4f", mbps(r.original, r.decompress_s)) + "," + fmt("%.1f", r.peak_mib) + "," +
           (r.ok ? "ok" : "FAILED") + "\n";
  }
  return out;
}

std::vector<Result> results_from_json(const std::string& text, Machine* m) {
  const nlohmann::json j = nlohmann::json::parse(text);
  const Machine doc{j.at("machine").at("cpu"), j.at("machine").at("cores"), j.at("machine").at("simd")};
  if (m) *m = doc;
  std::vector<Result> out;
  for (const auto& r : j.at("results")) {
    Result x;
    x.corpus = r.at("corpus");
    x.codec = r.at("compressor");
    x.version = r.at("version");
    x.original = r.at("original_bytes");
    x.compressed = r.at("compressed_bytes");
    const double c = r.at("compress_MBps"), d = r.at("decompress_MBps");
    x.compress_s = c > 0 ? double(x.original) / 1e6 / c : 0;
    x.decompress_s = d > 0 ? double(x.original) / 1e6 / d : 0;
    x.peak_mib = r.at("peak_MiB");
    x.ok = r.at("roundtrip");
    x.error = r.at("error");
    x.machine = r.contains("machine") ? r.at("machine").get<std::string>() : machine_name(doc);
    out.push_back(x);
  }
  return out;
}

std::string report_json(const Machine& m, const std::vector<Result>& results, const std::vector<std::string>& skipped) {
  nlohmann::ordered_json j;
  j["machine"] = {{"cpu", m.cpu}, {"cores", m.cores}, {"simd", m.simd}};
  j["results"] = nlohmann::json::array();
  for (const Result& r : results)
    j["results"].push_back({{"corpus", r.corpus},
                            {"compressor", r.codec},
                            {"version", r.version},
                            {"original_bytes", r.original},
                            {"compressed_bytes", r.compressed},
                            {"bpb", r.bpb()},
                            {"compress_MBps", mbps(r.original, r.compress_s)},
                            {"decompress_MBps", mbps(r.original, r.decompress_s)},
                            {"peak_MiB", r.peak_mib},
                            {"roundtrip", r.ok},
                            {"error", r.error}});
  for (size_t i = 0; i < results.size(); ++i)
    if (!results[i].machine.empty() && results[i].machine != machine_name(m)) j["results"][i]["machine"] = results[i].machine;
  j["skipped"] = skipped;
  return j.dump(2) + "\n";
}

std::string report_svg(const Machine& m, const std::vector<Result>& results) {
  const double W = 900, H = 560, L = 70, R = 250, T = 50, B = 60;  // plot area margins
  const double pw = W - L - R, ph = H - T - B;
  double xmin = 1e9, xmax = 0, ymin = 1e9, ymax = 0;
  std::vector<std::string> codecs, corpora;
  for (const Result& r : results) {
    if (!r.ok) continue;
    const double x = mbps(r.original, r.compress_s);
    if (x <= 0) continue;
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    ymin = std::min(ymin, r.bpb());
    ymax = std::max(ymax, r.bpb());
    if (std::find(codecs.begin(), codecs.end(), r.codec) == codecs.end()) codecs.push_back(r.codec);
    if (std::find(corpora.begin(), corpora.end(), r.corpus) == corpora.end()) corpora.push_back(r.corpus);
  }
  if (codecs.empty()) return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
  const double lx0 = std::floor(std::log10(xmin)), lx1 = std::max(lx0 + 1, std::ceil(std::log10(xmax)));
  ymin = std::floor(ymin * 2) / 2;
  ymax = std::ceil(ymax * 2) / 2 + (std::ceil(ymax * 2) / 2 == ymin ? 0.5 : 0);
  auto px = [&](double v) { return L + (std::log10(v) - lx0) / (lx1 - lx0) * pw; };
  auto py = [&](double v) { return T + (ymax - v) / (ymax - ymin) * ph; };
  static const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd",
                                 "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", W) + "\" height=\"" +
                  fmt("%.0f", H) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + fmt("%.0f", L) + "\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Bits per byte against "
       "compression speed (lower right is better)</text>\n";
  s += "<text x=\"" + fmt("%.0f", L) + "\" y=\"40\" fill=\"#555\">" + xml_escape(m.cpu) + ", " +
       std::to_string(m.cores) + " cores, " + m.simd + "</text>\n";
  // Grid and axes.
  for (double e = lx0; e <= lx1 + 1e-9; e += 1) {
    const double x = L + (e - lx0) / (lx1 - lx0) * pw;
    s += "<line x1=\"" + fmt("%.1f", x) + "\" y1=\"" + fmt("%.0f", T) + "\" x2=\"" + fmt("%.1f", x) + "\" y2=\"" +
         fmt("%.0f", T + ph) + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.0f", T + ph + 18) + "\" text-anchor=\"middle\">" +
         fmt(e < 0 ? "%.3g" : "%.0f", std::pow(10, e)) + "</text>\n";
  }
  for (double v = ymin; v <= ymax + 1e-9; v += 0.5) {
    const double y = py(v);
    s += "<line x1=\"" + fmt("%.0f", L) + "\" y1=\"" + fmt("%.1f", y) + "\" x2=\"" + fmt("%.0f", L + pw) +
         "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + fmt("%.0f", L - 8) + "\" y=\"" + fmt("%.1f", y + 4) + "\" text-anchor=\"end\">" +
         fmt("%.1f", v) + "</text>\n";
  }
  s += "<rect x=\"" + fmt("%.0f", L) + "\" y=\"" + fmt("%.0f", T) + "\" width=\"" + fmt("%.0f", pw) + "\" height=\"" +
       fmt("%.0f", ph) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  s += "<text x=\"" + fmt("%.0f", L + pw / 2) + "\" y=\"" + fmt("%.0f", H - 15) +
       "\" text-anchor=\"middle\">compression speed, MB/s (log scale)</text>\n";
  s += "<text transform=\"translate(18," + fmt("%.0f", T + ph / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">bits per byte</text>\n";
  // Points: colour = compressor, shape = corpus.
  auto marker = [&](size_t shape, double x, double y, const char* color) {
    const std::string cx = fmt("%.1f", x), cy = fmt("%.1f", y);
    switch (shape % 6) {
      case 4: return "<path d=\"M" + fmt("%.1f", x - 5) + "," + fmt("%.1f", y - 5) + " L" + fmt("%.1f", x + 5) + "," +
                     fmt("%.1f", y + 5) + " M" + fmt("%.1f", x - 5) + "," + fmt("%.1f", y + 5) + " L" +
                     fmt("%.1f", x + 5) + "," + fmt("%.1f", y - 5) + "\" stroke=\"" + color +
                     "\" stroke-width=\"2.5\"/>\n";
      case 5: return "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"5\" fill=\"none\" stroke=\"" + color +
                     "\" stroke-width=\"2\"/>\n";
      case 0: return "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"5\" fill=\"" + color + "\"/>\n";
      case 1: return "<rect x=\"" + fmt("%.1f", x - 4.5) + "\" y=\"" + fmt("%.1f", y - 4.5) +
                     "\" width=\"9\" height=\"9\" fill=\"" + color + "\"/>\n";
      case 2: return "<polygon points=\"" + fmt("%.1f", x) + "," + fmt("%.1f", y - 6) + " " + fmt("%.1f", x - 5.5) +
                     "," + fmt("%.1f", y + 4.5) + " " + fmt("%.1f", x + 5.5) + "," + fmt("%.1f", y + 4.5) +
                     "\" fill=\"" + color + "\"/>\n";
      default: return "<polygon points=\"" + fmt("%.1f", x) + "," + fmt("%.1f", y - 6) + " " + fmt("%.1f", x + 6) +
                      "," + cy + " " + fmt("%.1f", x) + "," + fmt("%.1f", y + 6) + " " + fmt("%.1f", x - 6) + "," +
                      cy + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"/>\n";
    }
  };
  for (const Result& r : results) {
    if (!r.ok || r.compress_s <= 0) continue;
    const size_t ci = size_t(std::find(codecs.begin(), codecs.end(), r.codec) - codecs.begin());
    const size_t si = size_t(std::find(corpora.begin(), corpora.end(), r.corpus) - corpora.begin());
    s += marker(si, px(mbps(r.original, r.compress_s)), py(r.bpb()), colors[ci % 10]);
  }
  // Legend.
  double ly = T + 10;
  const double lx = L + pw + 20;
  s += "<text x=\"" + fmt("%.0f", lx) + "\" y=\"" + fmt("%.0f", ly) + "\" font-weight=\"bold\">compressor</text>\n";
  for (size_t i = 0; i < codecs.size(); ++i) {
    ly += 18;
    s += "<circle cx=\"" + fmt("%.0f", lx + 5) + "\" cy=\"" + fmt("%.0f", ly - 4) + "\" r=\"5\" fill=\"" +
         colors[i % 10] + "\"/>\n";
    s += "<text x=\"" + fmt("%.0f", lx + 16) + "\" y=\"" + fmt("%.0f", ly) + "\">" + xml_escape(codecs[i]) + "</text>\n";
  }
  ly += 30;
  s += "<text x=\"" + fmt("%.0f", lx) + "\" y=\"" + fmt("%.0f", ly) + "\" font-weight=\"bold\">corpus</text>\n";
  for (size_t i = 0; i < corpora.size(); ++i) {
    ly += 18;
    s += marker(i, lx + 5, ly - 4, "#333");
    s += "<text x=\"" + fmt("%.0f", lx + 16) + "\" y=\"" + fmt("%.0f", ly) + "\">" + xml_escape(corpora[i]) + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace shz::bench
