#include "host/backend/xrt_device.h"

#include <string>

#include "host/core/error.h"

namespace sqt::backend {

namespace {

constexpr std::size_t kWordBytes = sizeof(hw::Word512);

// Argument index of each buffer in its kernel's signature (hw/*.h).
constexpr int arg_index(Buf b) {
  switch (b) {
    case Buf::kGemmA:
    case Buf::kMulX0:
    case Buf::kSeeds:
      return 0;
    case Buf::kGemmB:
    case Buf::kMulX1:
    case Buf::kOutA:
      return 1;
    case Buf::kGemmC:
    case Buf::kMulY0:
    case Buf::kOutB:
      return 2;
    case Buf::kMulY1:
    case Buf::kOutC:
      return 3;
    case Buf::kMulMask:
      return 4;
    case Buf::kMulOut:
      return 5;
  }
  return 0;
}

const char* kernel_name(KernelId k) {
  switch (k) {
    case KernelId::kGemm:
      return hw::kGemmKernel;
    case KernelId::kMul:
      return hw::kMulKernel;
    case KernelId::kTriples:
      return hw::kTripleKernel;
  }
  return "?";
}

}  // namespace

xrt::device XrtDevice::open_card(unsigned index) {
  try {
    return xrt::device(index);
  } catch (const std::exception& e) {
    throw BackendError("backend 'fpga': no FPGA card could be opened as XRT device " + std::to_string(index) +
                       " (" + e.what() +
                       "); install an Alveo card with its XRT driver, or use --backend cpu "
                       "(or --backend fpga-sim to run the FPGA kernels in simulation)");
  }
}

XrtDevice::XrtDevice(xrt::device device, const std::filesystem::path& image) : device_(std::move(device)) {
  xrt::uuid uuid;
  try {
    uuid = device_.load_xclbin(image.string());
  } catch (const std::exception& e) {
    throw BackendError("backend 'fpga': could not load FPGA image " + image.string() + " (" + e.what() +
                       "); check that it was built for this card's platform, or use --backend cpu");
  }
  for (KernelId k : {KernelId::kGemm, KernelId::kMul, KernelId::kTriples}) {
    try {
      kernels_[static_cast<int>(k)].emplace(device_, uuid, kernel_name(k));
    } catch (const std::exception& e) {
      throw BackendError("backend 'fpga': FPGA image " + image.string() + " has no kernel '" +
                         kernel_name(k) + "' (" + e.what() +
                         "); rebuild it with firmware/Makefile, or use --backend cpu");
    }
  }
  allocate_buffers();
  for (int slot = 0; slot < kSlots; ++slot) {
    for (int k = 0; k < 3; ++k) runs_[slot][k].emplace(*kernels_[k]);
    for (int b = 0; b < kBufCount; ++b) {
      const Buf buf = static_cast<Buf>(b);
      runs_[slot][static_cast<int>(kernel_of(buf))]->set_arg(arg_index(buf), bos_[slot][b]);
    }
  }
}

XrtDevice::XrtDevice(xrt::device device) : device_(std::move(device)) { allocate_buffers(); }

XrtDevice::~XrtDevice() {
  for (int slot = 0; slot < kSlots; ++slot) {
    for (int k = 0; k < 3; ++k) {
      if (!in_flight_[slot][k]) continue;
      try {
        runs_[slot][k]->wait();
      } catch (...) {
      }
    }
  }
}

void XrtDevice::allocate_buffers() {
  for (int slot = 0; slot < kSlots; ++slot) {
    for (int b = 0; b < kBufCount; ++b) {
      const Buf buf = static_cast<Buf>(b);
      const auto& kernel = kernels_[static_cast<int>(kernel_of(buf))];
      const xrt::memory_group group = kernel ? kernel->group_id(arg_index(buf)) : 0;
      try {
        bos_[slot][b] = xrt::bo(device_, buffer_words(buf) * kWordBytes, xrt::bo::flags::normal, group);
        maps_[slot][b] = bos_[slot][b].map<std::uint64_t*>();
      } catch (const std::exception& e) {
        throw BackendError("backend 'fpga': could not allocate " +
                           std::to_string(buffer_words(buf) * kWordBytes) + " bytes in memory bank " +
                           std::to_string(group) + " of the card (" + e.what() + ")");
      }
    }
  }
}

std::span<std::uint64_t> XrtDevice::host(Buf b, int slot) {
  return {maps_.at(slot)[static_cast<int>(b)], buffer_words(b) * hw::kLanes};
}

void XrtDevice::to_device(Buf b, int slot, std::size_t words) {
  bos_.at(slot)[static_cast<int>(b)].sync(XCL_BO_SYNC_BO_TO_DEVICE, words * kWordBytes, 0);
}

void XrtDevice::from_device(Buf b, int slot, std::size_t words) {
  bos_.at(slot)[static_cast<int>(b)].sync(XCL_BO_SYNC_BO_FROM_DEVICE, words * kWordBytes, 0);
}

xrt::run& XrtDevice::prepared_run(KernelId kernel, int slot) {
  auto& run = runs_.at(slot)[static_cast<int>(kernel)];
  if (!run) {
    throw BackendError(std::string("backend 'fpga': no image loaded, cannot run kernel '") +
                       kernel_name(kernel) + "'");
  }
  return *run;
}

void XrtDevice::start_gemm(int slot, const GemmTile& t) {
  xrt::run& run = prepared_run(KernelId::kGemm, slot);
  run.set_arg(3, t.m);
  run.set_arg(4, t.n);
  run.set_arg(5, t.k);
  run.start();
  in_flight_[slot][static_cast<int>(KernelId::kGemm)] = true;
}

void XrtDevice::start_mul(int slot, std::uint32_t words) {
  xrt::run& run = prepared_run(KernelId::kMul, slot);
  run.set_arg(6, words);
  run.start();
  in_flight_[slot][static_cast<int>(KernelId::kMul)] = true;
}

void XrtDevice::start_triples(int slot, const TripleRun& r) {
  xrt::run& run = prepared_run(KernelId::kTriples, slot);
  run.set_arg(4, r.mode);
  run.set_arg(5, r.parties);
  run.set_arg(6, r.counter);
  run.set_arg(7, r.first_block);
  run.set_arg(8, r.count);
  run.start();
  in_flight_[slot][static_cast<int>(KernelId::kTriples)] = true;
}

void XrtDevice::wait(KernelId kernel, int slot) {
  auto& flag = in_flight_.at(slot)[static_cast<int>(kernel)];
  if (!flag) return;
  flag = false;
  const ert_cmd_state state = prepared_run(kernel, slot).wait();
  if (state != ERT_CMD_STATE_COMPLETED) {
    throw BackendError(std::string("backend 'fpga': kernel '") + kernel_name(kernel) + "' ended in state " +
                       std::to_string(static_cast<int>(state)) + " instead of completed");
  }
}

}  // namespace sqt::backend
