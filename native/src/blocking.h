// Waits with no descriptor to poll (sem_wait, System V semop and msgrcv,
// sigwaitinfo) run on a thread of their own, never on libuv's pool: its four
// threads are what `fs` and `dns` need, and eight pending waits must not
// starve them. The thread saves errno where the call returned; the result or
// the error is built on the main thread. A wait is cancelled by a signal
// (kCancelSignal, handled by a no-op without SA_RESTART, unblocked only in
// these threads) that makes the call return EINTR.
#pragma once
#include <napi.h>

#include <memory>

#include "errors.h"

namespace ipc {

// SIGRTMAX - 1: reserved by the library for cancelling its waiter threads.
int CancelSignal();

class BlockingCall {
 public:
  virtual ~BlockingCall() = default;
  // On the waiter thread: the call itself; 0 or the errno it failed with.
  virtual int Run() = 0;
  // On the main thread after Run returned 0: the JS value the wait resolves with.
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
  // How errors name the call and its object.
  virtual const char* Syscall() const = 0;
  virtual Subject About() const { return {}; }
};

// Starts `call` on its own thread; `callback(error | null, result)` runs on
// the main thread when it returns. Returns the wait's id for cancelWait().
Napi::Value StartBlocking(Napi::Env env, std::unique_ptr<BlockingCall> call,
                          Napi::Function callback);

}  // namespace ipc
