// Entry points of the fuzz targets in this folder. libFuzzer builds call
// them from LLVMFuzzerTestOneInput (SQT_LIBFUZZER_TARGET); the seeded
// replays in tests/net call them directly, so several targets can live in
// one test binary. Each returns 0 and aborts on a violated invariant.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sqt::fuzz {

// fuzz/record_fuzzer.cc: the own TLS record receiver on a socket pair.
int record_reader_one_input(const std::uint8_t* data, std::size_t size);
// fuzz/hello_fuzzer.cc: HELLO and frame headers read through the record layer.
int hello_one_input(const std::uint8_t* data, std::size_t size);

// Sums over all calls in this process, so a replay can check that its
// inputs reach the deep paths (past authentication, past the header check).
struct RecordFuzzTotals {
  std::uint64_t delivered_bytes = 0;  // application data the receiver returned
  std::uint64_t key_updates = 0;      // KeyUpdates it followed
  std::uint64_t clean_ends = 0;       // runs that ended with StreamClosed
  std::uint64_t errors = 0;           // runs that ended with NetError
};
RecordFuzzTotals record_fuzz_totals();
struct HelloFuzzTotals {
  std::uint64_t hellos = 0;        // HELLO payloads decoded
  std::uint64_t other_frames = 0;  // further frames whose header was accepted
  std::uint64_t refused_headers = 0;
};
HelloFuzzTotals hello_fuzz_totals();

}  // namespace sqt::fuzz
