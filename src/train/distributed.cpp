// c10d process groups for data-parallel training (distributed.h).
#include "distributed.h"

#include "train_api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <xxhash.h>

namespace shz::train {
namespace {

int env_int(const char* name, int fallback, bool* present = nullptr) {
  const char* v = std::getenv(name);
  if (present) *present = v != nullptr;
  if (!v) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*v == 0 || *end != 0 || x < 0 || x > 1000000) throw std::runtime_error(std::string(name) + "='" + v + "' is not a count");
  return int(x);
}

}  // namespace

DistEnv dist_env_from_environment() {
  DistEnv e;
  bool has_rank = false, has_world = false;
  e.rank = env_int("RANK", 0, &has_rank);
  e.world = env_int("WORLD_SIZE", 1, &has_world);
  e.local_rank = env_int("LOCAL_RANK", e.rank);
  if (has_rank || has_world) {
    e.launcher = "torchrun-style";
  } else if (std::getenv("SLURM_PROCID") && std::getenv("SLURM_NTASKS")) {
    e.rank = env_int("SLURM_PROCID", 0);
    e.world = env_int("SLURM_NTASKS", 1);
    e.local_rank = env_int("SLURM_LOCALID", 0);
    e.launcher = e.world > 1 ? "slurm" : "none";
  }
  if (const char* a = std::getenv("MASTER_ADDR")) e.master_addr = a;
  e.master_port = env_int("MASTER_PORT", 29500);
  if (e.world < 1 || e.rank >= e.world)
    throw std::runtime_error("rank " + std::to_string(e.rank) + " is outside a world of " + std::to_string(e.world));
  if (e.master_port < 1 || e.master_port > 65535) throw std::runtime_error("MASTER_PORT is not a port");
  return e;
}

// The group, held by its concrete class: in LibTorch 1.x ProcessGroupGloo and
// ProcessGroupNCCL derive from ProcessGroup, from 2.0 on from Backend; their collectives are
// called the same way in both.
struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
#ifdef USE_C10D_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef USE_C10D_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  std::string backend;

  void allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o = c10d::AllreduceOptions()) {
#ifdef USE_C10D_NCCL
    if (nccl) return void(nccl->allreduce(t, o)->wait());
#endif
#ifdef USE_C10D_GLOO
    if (gloo) return void(gloo->allreduce(t, o)->wait());
#endif
    (void)t, (void)o;
    throw std::runtime_error("no process group");
  }
  void broadcast(std::vector<at::Tensor>& t) {
#ifdef USE_C10D_NCCL
    if (nccl) return void(nccl->broadcast(t)->wait());
#endif
#ifdef USE_C10D_GLOO
    if (gloo) return void(gloo->broadcast(t)->wait());
#endif
    (void)t;
    throw std::runtime_error("no process group");
  }
};

DataParallel::DataParallel(const DistEnv& env, torch::Device device) : env_(env), device_(device) {
  if (env_.world <= 1) return;
  group_ = std::make_unique<Group>();
  c10d::TCPStoreOptions so;
  so.port = uint16_t(env_.master_port);
  so.isServer = env_.rank == 0;
  so.numWorkers = size_t(env_.world);
  so.timeout = std::chrono::minutes(5);
  group_->store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, so);
#ifdef USE_C10D_NCCL
  if (device_.is_cuda()) {
    group_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_->store, env_.rank, env_.world);
    group_->backend = "nccl";
    return;
  }
#endif
  if (device_.is_cuda()) throw std::runtime_error("this LibTorch has no NCCL: several processes train on the CPU (--device cpu)");
#ifndef USE_C10D_GLOO
  throw std::runtime_error("this shz-train was built without c10d's Gloo (libgloo-dev): one process only");
#else
  auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::minutes(5));
  // GLOO_SOCKET_IFNAME picks the network interface, as in PyTorch; otherwise the address the
  // host name resolves to (loopback when it resolves to nothing, or for a local job).
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  else if (env_.master_addr == "127.0.0.1" || env_.master_addr == "localhost")
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  else
    opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  opts->threads = 2;
  group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, env_.rank, env_.world, opts);
  group_->backend = "gloo";
#endif
}

DataParallel::~DataParallel() = default;

std::string DataParallel::backend() const { return group_ ? group_->backend : "none"; }

void DataParallel::sum_gradients(const std::vector<torch::Tensor>& params) {
  if (!active()) return;
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : params)
    grads.push_back(p.grad().defined() ? p.grad().reshape({-1}) : torch::zeros({p.numel()}, p.options()));
  std::vector<torch::Tensor> flat{torch::cat(grads)};
  const auto t0 = std::chrono::steady_clock::now();
  group_->allreduce(flat);
  if (device_.is_cuda()) torch::cuda::synchronize();
  sum_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sum_bytes_ = uint64_t(flat[0].numel()) * flat[0].element_size();
  ++sums_;
  int64_t at = 0;
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& p : params) {
    const int64_t n = p.numel();
    if (p.grad().defined()) p.grad().copy_(flat[0].narrow(0, at, n).view_as(p));
    at += n;
  }
}

std::string DataParallel::allreduce_report() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "gradient allreduce (%s, %d processes): %llu steps, %.2f ms a step, %.1f MB each",
                backend().c_str(), env_.world, (unsigned long long)sums_, sums_ ? 1000.0 * sum_seconds_ / double(sums_) : 0.0,
                double(sum_bytes_) / 1e6);
  return buf;
}

void DataParallel::broadcast(std::vector<torch::Tensor>& tensors) {
  if (!active()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat;
  for (const torch::Tensor& t : tensors) flat.push_back(t.detach().reshape({-1}));
  std::vector<torch::Tensor> all{torch::cat(flat)};
  group_->broadcast(all);
  int64_t at = 0;
  for (torch::Tensor& t : tensors) {
    t.detach().copy_(all[0].narrow(0, at, t.numel()).view_as(t));
    at += t.numel();
  }
}

void DataParallel::broadcast_values(std::vector<double>& values) {
  if (!active() || values.empty()) return;
  std::vector<torch::Tensor> t{torch::tensor(values, torch::kFloat64).to(device_)};
  group_->broadcast(t);
  const torch::Tensor c = t[0].cpu();
  for (size_t i = 0; i < values.size(); ++i) values[i] = c[int64_t(i)].item<double>();
}

void DataParallel::check_same_parameters(const std::vector<torch::Tensor>& params, uint64_t step) {
  if (!active()) return;
  XXH64_state_t* h = XXH64_createState();
  XXH64_reset(h, 0);
  for (const torch::Tensor& p : params) {
    const torch::Tensor c = p.detach().to(torch::kCPU).contiguous();
    XXH64_update(h, c.data_ptr(), size_t(c.numel()) * c.element_size());
  }
  const uint64_t mine = XXH64_digest(h);
  XXH64_freeState(h);
  // Lowest and highest hash over the ranks: equal only when every rank has the same.
  int64_t v = 0;
  std::memcpy(&v, &mine, 8);
  std::vector<torch::Tensor> lo{torch::full({1}, v, torch::kInt64).to(device_)}, hi{lo[0].clone()};
  c10d::AllreduceOptions mn, mx;
  mn.reduceOp = c10d::ReduceOp::MIN;
  mx.reduceOp = c10d::ReduceOp::MAX;
  group_->allreduce(lo, mn);
  group_->allreduce(hi, mx);
  if (lo[0].cpu().item<int64_t>() != hi[0].cpu().item<int64_t>())
    throw std::runtime_error("the ranks' parameters differ at step " + std::to_string(step) +
                             " (a rank diverged: stopping rather than training on inconsistent weights)");
}

int launch_local(int nproc, const std::vector<std::string>& args) {
  if (nproc < 1 || nproc > 256) throw std::runtime_error("--nproc must be 1..256");
  // A free port for the rendezvous: bound by the kernel's choice, then released.
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  const int port = ntohs(a.sin_port);
  close(s);
  std::vector<pid_t> pids;
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      setenv("RANK", std::to_string(r).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      std::vector<char*> argv;
      std::vector<std::string> copy = args;
      for (std::string& x : copy) argv.push_back(x.data());
      argv.push_back(nullptr);
      execv("/proc/self/exe", argv.data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  int first_failure = 0;
  for (size_t left = pids.size(); left > 0; --left) {
    int status = 0;
    const pid_t done = wait(&status);
    if (done < 0) break;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0 && first_failure == 0) {
      first_failure = code;
      for (pid_t p : pids)
        if (p != done) kill(p, SIGTERM);  // the others would wait on it for ever
    }
  }
  return first_failure;
}

}  // namespace shz::train
