// OffloadBackend: the orchestration shared by `fpga` and `fpga-sim`. It
// splits each operation into tiles that fit the device buffers, packs them
// into the kernels' 512-bit layouts, and alternates between two buffer slots
// so the device computes tile t while the host unpacks tile t-1 and packs
// tile t+1. Only the TileDevice differs between the two backends.
// One object owns one set of device buffers: use it from one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "host/backend/backend.h"
#include "host/backend/tile_device.h"

namespace sqt::backend {

class OffloadBackend final : public Backend {
 public:
  OffloadBackend(std::string name, std::unique_ptr<TileDevice> device);

  using Backend::cross_mul_add;  // the Z_2^128 overloads
  using Backend::gemm;
  using Backend::prg_fill;
  std::string_view name() const override { return name_; }
  void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a, const Ring* b,
            Ring* c, bool accumulate) override;
  void cross_mul_add(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                     std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) override;
  void prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) override;
  TripleShares own_triples(const PrgSeed& own_seed, std::uint64_t counter, std::size_t n) override;
  std::vector<Ring> dealer_correction(std::span<const PrgSeed> seeds, std::uint64_t counter,
                                      std::size_t n) override;

  TileDevice& device() { return *device_; }

 private:
  std::string name_;
  std::unique_ptr<TileDevice> device_;
};

}  // namespace sqt::backend
