// RingVec: the storage of share components. Its resize() and (n)-constructor
// leave new elements uninitialised: share buffers are nearly always written in
// full right after (products, received messages, PRG output), and zero-filling
// them first cost about a tenth of a training batch. Code that needs zeros says
// so (assign(n, 0), ShareVec(n)).
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/core/ring.h"

namespace sqt {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>& /*other*/) noexcept {}

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;  // default-initialisation: no zeroing
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Storage of elements of type T (a ring's elements, or 64-bit bit-plane words).
template <class T>
using RingVecOf = std::vector<T, DefaultInitAllocator<T>>;
using RingVec = RingVecOf<Ring>;

}  // namespace sqt
