#include "blocking.h"

#include <pthread.h>
#include <signal.h>
#include <uv.h>

#include <atomic>
#include <cerrno>
#include <thread>
#include <unordered_map>

#include "args.h"
#include "modules.h"

namespace ipc {

int CancelSignal() { return SIGRTMAX - 1; }

namespace {

struct Wait {
  uint32_t id;
  std::unique_ptr<BlockingCall> call;
  Napi::FunctionReference callback;
  std::unique_ptr<Napi::AsyncContext> context;
  uv_async_t done;     // the thread's "I returned", to the main thread
  uv_timer_t resend;   // re-sends the cancel signal until the call returns
  bool resending = false;
  int pendingCloses = 0;
  std::thread thread;
  std::atomic<bool> cancelled{false};
  int err = 0;
};

std::unordered_map<uint32_t, Wait*> waits;
uint32_t nextId = 1;

void NoOp(int) {}

void InstallCancelHandler() {
  static bool installed = false;
  if (installed) return;
  struct sigaction action = {};
  action.sa_handler = NoOp;  // no SA_RESTART: the call returns EINTR
  sigemptyset(&action.sa_mask);
  sigaction(CancelSignal(), &action, nullptr);
  // Only waiter threads take it: block it here, on the main thread.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, CancelSignal());
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  installed = true;
}

void ThreadMain(Wait* wait) {
  // Every signal but ours stays with Node's threads.
  sigset_t set;
  sigfillset(&set);
  sigdelset(&set, CancelSignal());
  pthread_sigmask(SIG_SETMASK, &set, nullptr);
  int err = ECANCELED;
  while (!wait->cancelled.load()) {
    err = wait->call->Run();
    if (err != EINTR) break;
    err = ECANCELED;
  }
  wait->err = err;
  uv_async_send(&wait->done);  // last touch of `wait` on this thread
}

void OnHandleClosed(uv_handle_t* handle) {
  Wait* wait = static_cast<Wait*>(handle->data);
  if (--wait->pendingCloses == 0) delete wait;
}

void OnDone(uv_async_t* handle) {
  Wait* wait = static_cast<Wait*>(handle->data);
  wait->thread.join();  // it has returned: the join does not block
  waits.erase(wait->id);
  if (wait->resending) uv_timer_stop(&wait->resend);
  Napi::Env env = wait->callback.Env();
  {
    Napi::HandleScope scope(env);
    try {
      Napi::Value error = env.Null(), result = env.Undefined();
      if (wait->err != 0) {
        error = ErrnoError(env, wait->err, wait->call->Syscall(), wait->call->About()).Value();
      } else {
        result = wait->call->Result(env);
      }
      wait->callback.MakeCallback(env.Global(), {error, result}, *wait->context);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }
  wait->callback.Reset();
  wait->pendingCloses = 2;
  uv_close(reinterpret_cast<uv_handle_t*>(&wait->done), OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&wait->resend), OnHandleClosed);
}

void OnResend(uv_timer_t* handle) {
  Wait* wait = static_cast<Wait*>(handle->data);
  pthread_kill(wait->thread.native_handle(), CancelSignal());
}

// cancelWait(id): makes the wait's call return; its callback then gets
// ECANCELED (or the call's own result, if it returned first). Unknown ids
// (finished waits) are ignored.
Napi::Value CancelWait(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "id");
  auto found = waits.find(static_cast<uint32_t>(id));
  if (found == waits.end()) return info.Env().Undefined();
  Wait* wait = found->second;
  if (wait->cancelled.exchange(true)) return info.Env().Undefined();
  // A signal that lands just before the thread enters the call is lost: send
  // it again every millisecond until the call has returned.
  pthread_kill(wait->thread.native_handle(), CancelSignal());
  wait->resending = true;
  uv_timer_start(&wait->resend, OnResend, 1, 1);
  uv_unref(reinterpret_cast<uv_handle_t*>(&wait->resend));
  return info.Env().Undefined();
}

// pendingBlocking() -> how many waiter threads run (for tests and leak checks).
Napi::Value PendingBlocking(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(waits.size()));
}

}  // namespace

Napi::Value StartBlocking(Napi::Env env, std::unique_ptr<BlockingCall> call,
                          Napi::Function callback) {
  InstallCancelHandler();
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  Wait* wait = new Wait();
  wait->id = nextId++;
  wait->call = std::move(call);
  wait->callback = Napi::Persistent(callback);
  wait->context = std::make_unique<Napi::AsyncContext>(env, "ipc-lab:blocking");
  uv_async_init(loop, &wait->done, OnDone);  // ref'd: a pending wait keeps Node alive
  uv_timer_init(loop, &wait->resend);
  wait->done.data = wait;
  wait->resend.data = wait;
  try {
    wait->thread = std::thread(ThreadMain, wait);
  } catch (const std::system_error& error) {
    wait->pendingCloses = 2;
    uv_close(reinterpret_cast<uv_handle_t*>(&wait->done), OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&wait->resend), OnHandleClosed);
    ThrowErrno(env, error.code().value(), "pthread_create");
  }
  waits[wait->id] = wait;
  return Napi::Number::New(env, wait->id);
}

void InitBlocking(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "cancelWait", CancelWait, 1);
  Export(env, exports, "pendingBlocking", PendingBlocking, 0);
}

}  // namespace ipc
