// Waits with no descriptor to poll (sem_wait, System V semop and msgrcv, a
// FIFO's blocking open) run on waiter threads of the addon's own pool, never
// on libuv's: its four threads are what `fs` and `dns` need, and eight
// pending waits must not starve them. The pool starts a thread only when all
// of its threads are busy and keeps it, idle, for the next wait (starting a
// thread per wait was most of a wait's cost); an idle thread holds no libuv
// handle, so it does not keep Node alive, and the environment's clean-up
// joins it. The thread saves errno where the call returned; the result or
// the error is built on the main thread. A wait is cancelled by a signal
// (CancelSignal(), handled by a no-op without SA_RESTART, unblocked only in
// these threads) that makes the call return EINTR; the cancel is the wait's
// own flag, so a late signal that reaches the thread during its next wait
// only makes that call run again.
#pragma once
#include <napi.h>

#include <memory>

#include "errors.h"

namespace ipc {

// SIGRTMAX - 1: reserved by the library for cancelling its waiter threads.
int CancelSignal();

// Its no-op handler (no SA_RESTART), installed once; blocked on the main
// thread, which unblocks it only around a timed blocking call of its own.
void InstallCancelHandler();

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

// Runs `call` on a pooled waiter thread; `callback(error | null, result)` runs on
// the main thread when it returns. Returns the wait's id for cancelWait().
Napi::Value StartBlocking(Napi::Env env, std::unique_ptr<BlockingCall> call,
                          Napi::Function callback);

}  // namespace ipc
