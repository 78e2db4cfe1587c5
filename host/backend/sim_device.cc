#include "host/backend/sim_device.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "hw/ring_gemm.h"
#include "hw/ring_mul.h"
#include "hw/triple_gen.h"

namespace sqt::backend {

SimDevice::SimDevice() {
  for (auto& slot : buffers_) {
    for (int b = 0; b < kBufCount; ++b) {
      const std::size_t words = buffer_words(static_cast<Buf>(b));
      slot[b].host.assign(words, hw::Word512{});
      slot[b].device.assign(words, hw::Word512{});
    }
  }
}

SimDevice::Buffer& SimDevice::buffer(Buf b, int slot) {
  if (slot < 0 || slot >= kSlots) throw std::logic_error("SimDevice: slot " + std::to_string(slot));
  return buffers_[slot][static_cast<int>(b)];
}

void SimDevice::check_idle(Buf b, int slot) const {
  if (busy_[slot][static_cast<int>(kernel_of(b))]) {
    throw std::logic_error("SimDevice: buffer " + std::to_string(static_cast<int>(b)) + " of slot " +
                           std::to_string(slot) + " touched while its kernel run is in flight");
  }
}

void SimDevice::mark_busy(KernelId kernel, int slot) {
  buffer(Buf::kGemmA, slot);  // validates the slot
  auto& flag = busy_[slot][static_cast<int>(kernel)];
  if (flag) throw std::logic_error("SimDevice: kernel started twice on slot " + std::to_string(slot));
  flag = true;
}

std::span<std::uint64_t> SimDevice::host(Buf b, int slot) {
  Buffer& buf = buffer(b, slot);
  check_idle(b, slot);
  return {reinterpret_cast<std::uint64_t*>(buf.host.data()), buf.host.size() * hw::kLanes};
}

void SimDevice::to_device(Buf b, int slot, std::size_t words) {
  Buffer& buf = buffer(b, slot);
  check_idle(b, slot);
  if (words > buf.host.size()) throw std::logic_error("SimDevice: transfer larger than the buffer");
  std::copy_n(buf.host.begin(), words, buf.device.begin());
}

void SimDevice::from_device(Buf b, int slot, std::size_t words) {
  Buffer& buf = buffer(b, slot);
  check_idle(b, slot);
  if (words > buf.host.size()) throw std::logic_error("SimDevice: transfer larger than the buffer");
  std::copy_n(buf.device.begin(), words, buf.host.begin());
}

// The run executes at once; the busy flag until wait() enforces the same
// discipline a real card needs.
void SimDevice::start_gemm(int slot, const GemmTile& t) {
  mark_busy(KernelId::kGemm, slot);
  sqt_ring_gemm(dev(Buf::kGemmA, slot), dev(Buf::kGemmB, slot), dev(Buf::kGemmC, slot), t.m, t.n, t.k);
}

void SimDevice::start_mul(int slot, std::uint32_t words) {
  mark_busy(KernelId::kMul, slot);
  sqt_ring_mul(dev(Buf::kMulX0, slot), dev(Buf::kMulX1, slot), dev(Buf::kMulY0, slot), dev(Buf::kMulY1, slot),
               dev(Buf::kMulMask, slot), dev(Buf::kMulOut, slot), words);
}

void SimDevice::start_triples(int slot, const TripleRun& r) {
  mark_busy(KernelId::kTriples, slot);
  sqt_triple_gen(dev(Buf::kSeeds, slot), dev(Buf::kOutA, slot), dev(Buf::kOutB, slot), dev(Buf::kOutC, slot),
                 r.mode, r.parties, r.counter, r.first_block, r.count);
}

void SimDevice::wait(KernelId kernel, int slot) {
  if (slot < 0 || slot >= kSlots) throw std::logic_error("SimDevice: slot " + std::to_string(slot));
  busy_[slot][static_cast<int>(kernel)] = false;
}

}  // namespace sqt::backend
