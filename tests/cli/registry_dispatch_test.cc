// The registry and dispatch_protocol agree: every ring a built entry lists
// has its case (the visitor sees that model's class, in that ring), and a
// ring it does not list is refused naming the model and the ring.
#include <gtest/gtest.h>

#include <string>

#include "host/cli/protocol_dispatch.h"
#include "host/cli/protocol_registry.h"
#include "host/core/error.h"

namespace sqt::cli {
namespace {

TEST(RegistryDispatch, EveryBuiltRingHasItsCase) {
  int cases = 0;
  for (const ProtocolInfo& info : protocol_registry()) {
    if (!info.built) continue;
    for (int bits : info.ring_bits) {
      SCOPED_TRACE(info.name + " " + info.ring_name(bits));
      const std::string name = dispatch_protocol(info, bits, [&](auto c) {
        using P = typename decltype(c)::Protocol;
        EXPECT_NE(c.make, nullptr);
        // The class computes in the ring the key names; a MAC'd model
        // (ring shown as Z_2^(k+s)) carries the k-bit values in k + s bits.
        const std::size_t mac_bits = info.ring_name(bits).find('+') != std::string::npos ? 64 : 0;
        EXPECT_EQ(sizeof(typename P::Ring) * 8, static_cast<std::size_t>(bits) + mac_bits);
        return std::string(P::kName);
      });
      EXPECT_EQ(name, info.name);
      ++cases;
    }
  }
  EXPECT_GE(cases, 2);  // rep3 and clear over Z_2^64 at least
}

TEST(RegistryDispatch, AnUnlistedRingIsRefusedByModelAndRing) {
  const ProtocolInfo& rep3 = find_built_protocol("rep3");
  try {
    dispatch_protocol(rep3, 32, [](auto) { return 0; });
    FAIL() << "rep3 over Z_2^32 was dispatched";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--ring 32: rep3 is not built over Z_2^32"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace sqt::cli
