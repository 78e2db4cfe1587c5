#include "host/net/inbound.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

namespace sqt::net {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Inbound::Inbound(Stream& stream, std::string name, std::uint64_t max_frame_bytes,
                 std::size_t max_queued_bytes)
    : stream_(stream),
      name_(std::move(name)),
      max_frame_bytes_(max_frame_bytes),
      max_queued_bytes_(max_queued_bytes),
      last_progress_ns_(now_ns()) {}

bool Inbound::pump(bool take_large) {
  bool progress = false;
  std::size_t read = 0;  // this turn's share (kFairShareBytes)
  while (!bye_ && !abort_reason_ && read < kFairShareBytes) {
    if (stage_ == Stage::kHeader) {
      std::size_t n = 0;
      try {
        n = stream_.read_some(header_bytes_.data() + got_, kFrameHeaderBytes - got_);
      } catch (const StreamClosed&) {
        // A clean end of the connection is only fine between frames, after BYE.
        if (got_ == 0) {
          throw NetError(fmt::format(
              "{} disconnected (connection closed without BYE: the process ended or crashed)", name_));
        }
        throw NetError(fmt::format("{} sent a truncated frame header (connection closed)", name_));
      }
      if (n == 0) return progress;
      progress = true;
      last_progress_ns_ = now_ns();
      got_ += n;
      read += n;
      if (got_ == kFrameHeaderBytes) start_frame();
      continue;
    }
    if (header_.length == 0) {
      if (!fits_queue()) return progress;  // throttled (a waiting recv() has an empty queue)
      finish_frame();
      continue;
    }
    if (dst_ == nullptr) {
      assign_payload(take_large);
      if (dst_ == nullptr) return progress;  // held back in the socket
    }
    std::size_t n = 0;
    try {
      n = stream_.read_some(dst_ + got_, static_cast<std::size_t>(header_.length) - got_);
    } catch (const StreamClosed&) {
      throw NetError(fmt::format("{} sent a truncated {} frame (connection closed inside {} payload bytes)",
                                 name_, frame_type_name(header_.type), header_.length));
    }
    if (n == 0) return progress;
    progress = true;
    last_progress_ns_ = now_ns();
    got_ += n;
    read += n;
    if (got_ == header_.length) finish_frame();
  }
  return progress;
}

void Inbound::add_queued(std::size_t bytes) {
  queued_bytes_ += bytes;
  peak_queued_bytes_ = std::max(peak_queued_bytes_, queued_bytes_);
}

void Inbound::discard_queued() {
  discarding_ = true;
  for (auto& frame : queue_) queued_bytes_ -= frame.size() + kFrameHeaderBytes;
  queue_.clear();
}

void Inbound::start_frame() {
  try {
    header_ = parse_frame_header(header_bytes_, max_frame_bytes_);
  } catch (const FrameError& e) {
    throw NetError(fmt::format("{} sent a bad frame: {}", name_, e.what()));
  }
  got_ = 0;
  dst_ = nullptr;
  switch (header_.type) {
    case FrameType::kData:
      if (waiting_ && !filled_ && queue_.empty() && header_.length != target_.size()) {
        throw NetError(expected_size_error(header_.length, target_.size()));
      }
      stage_ = Stage::kPayload;
      return;
    case FrameType::kAbort:  // the parser bounds its length
      abort_text_.assign(static_cast<std::size_t>(header_.length), '\0');
      dst_ = reinterpret_cast<std::byte*>(abort_text_.data());
      stage_ = Stage::kPayload;
      return;
    case FrameType::kBye:
      bye_ = true;
      return;
    default:
      throw NetError(fmt::format("{} sent an unexpected {} frame during the session", name_,
                                 frame_type_name(header_.type)));
  }
}

void Inbound::assign_payload(bool take_large) {
  if (waiting_ && !filled_ && queue_.empty()) {
    dst_ = target_.data();
    filling_target_ = true;
  } else if ((header_.length < kHoldBackBytes || take_large) && fits_queue()) {
    buffering_ = pool_.acquire(static_cast<std::size_t>(header_.length));
    dst_ = buffering_.data();
    add_queued(charge());
  }
}

void Inbound::finish_frame() {
  if (header_.type == FrameType::kAbort) {
    abort_reason_ = abort_text_;
  } else if (filling_target_ || (header_.length == 0 && waiting_ && !filled_ && queue_.empty())) {
    filled_ = true;
  } else if (discarding_) {
    if (header_.length > 0) {
      queued_bytes_ -= charge();
      pool_.release(std::move(buffering_));
      buffering_ = FrameBuffer();
    }
  } else if (header_.length == 0) {
    queue_.push_back(pool_.acquire(0));
    add_queued(charge());
  } else {
    queue_.push_back(std::move(buffering_));
  }
  stage_ = Stage::kHeader;
  got_ = 0;
  dst_ = nullptr;
  filling_target_ = false;
}

void Inbound::take_queued(std::span<std::byte> out) {
  FrameBuffer frame = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= frame.size() + kFrameHeaderBytes;
  if (frame.size() != out.size()) throw NetError(expected_size_error(frame.size(), out.size()));
  if (!out.empty()) std::memcpy(out.data(), frame.data(), out.size());
  pool_.release(std::move(frame));
}

void Inbound::wait_into(std::span<std::byte> out) {
  target_ = out;
  waiting_ = true;
  filled_ = false;
  if (stage_ != Stage::kPayload || header_.type != FrameType::kData) return;
  // A data frame is under way: it is the one this recv() gets.
  if (header_.length != out.size()) throw NetError(expected_size_error(header_.length, out.size()));
  if (dst_ != nullptr) {  // being buffered: move what has arrived, read the rest in place
    if (got_ > 0) std::memcpy(out.data(), buffering_.data(), got_);
    queued_bytes_ -= charge();
    pool_.release(std::move(buffering_));
    buffering_ = FrameBuffer();
    dst_ = out.data();
    filling_target_ = true;
  }
}

void Inbound::stop_waiting() {
  waiting_ = false;
  filled_ = false;
  target_ = {};
  // A recv() that gives up mid-frame (the session failed) leaves the rest
  // of the frame unread: nothing reads from this peer after a failure.
}

std::string Inbound::expected_size_error(std::uint64_t size, std::size_t expected) const {
  return fmt::format("{} sent a frame of {} bytes where this party expects {} bytes (protocol out of step)",
                     name_, size, expected);
}

}  // namespace sqt::net
