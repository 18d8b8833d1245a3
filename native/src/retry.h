// The one EINTR retry loop. Plain C++ with no allocation, so child routines
// (async-signal-safe code after fork) use it too.
#pragma once
#include <cerrno>

namespace ipc {

// Runs `call` again while it fails with EINTR (a signal arrived first); for
// every call but close, which Linux never needs (or allows) to retry.
template <class Call>
auto RetryEintr(Call call) {
  decltype(call()) rc;
  do {
    rc = call();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

}  // namespace ipc
