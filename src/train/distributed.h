// Data-parallel training over c10d process groups (PyTorch's own collectives): Gloo on the
// CPU, NCCL when this LibTorch has CUDA. The C++ frontend has no DistributedDataParallel,
// so gradients are averaged explicitly after each backward pass.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shz::train {

// Where this process stands in the job, from the launcher's variables: torchrun's RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, or Slurm's SLURM_PROCID, SLURM_NTASKS,
// SLURM_LOCALID (MASTER_ADDR/MASTER_PORT still name the rendezvous). World 1 without them.
struct DistEnv {
  int rank = 0, world = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string launcher = "none";  // "torchrun-style", "slurm" or "none"
};
DistEnv dist_env_from_environment();  // throws std::runtime_error for inconsistent values

class DataParallel {
 public:
  // Joins the process group (a TCPStore at the master's address; rank 0 serves it) when the
  // world has more than one process; `device` says whether tensors live on a GPU (NCCL).
  DataParallel(const DistEnv& env, torch::Device device);
  ~DataParallel();
  int rank() const { return env_.rank; }
  int world() const { return env_.world; }
  bool active() const { return env_.world > 1; }
  std::string backend() const;

  // Sums every parameter's gradient over the ranks (one collective over all of them).
  void sum_gradients(const std::vector<torch::Tensor>& params);
  // Every rank gets rank 0's values (parameters at the start, the schedule's decisions).
  void broadcast(std::vector<torch::Tensor>& tensors);
  void broadcast_values(std::vector<double>& values);
  // Throws std::runtime_error unless every rank holds bit-identical parameters.
  void check_same_parameters(const std::vector<torch::Tensor>& params, uint64_t step);
  // What the gradient sums cost so far: calls, seconds, bytes each.
  std::string allreduce_report() const;

 private:
  struct Group;
  DistEnv env_;
  torch::Device device_;
  std::unique_ptr<Group> group_;
  uint64_t sums_ = 0;
  double sum_seconds_ = 0;
  uint64_t sum_bytes_ = 0;
};

}  // namespace shz::train
