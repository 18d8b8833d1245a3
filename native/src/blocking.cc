#include "blocking.h"

#include <pthread.h>
#include <signal.h>
#include <uv.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "args.h"
#include "modules.h"

namespace ipc {

int CancelSignal() { return SIGRTMAX - 1; }

namespace {

struct Worker;

struct Wait {
  uint32_t id;
  std::unique_ptr<BlockingCall> call;
  Napi::FunctionReference callback;
  std::unique_ptr<Napi::AsyncContext> context;
  uv_async_t done;    // the worker's "it returned", to the main thread
  uv_timer_t resend;  // re-sends the cancel signal until the call returns
  bool resending = false;
  int pendingCloses = 0;
  Worker* worker = nullptr;  // the pooled thread running the call
  // Set by cancelWait. It belongs to this wait alone: a cancel signal that
  // reaches the worker late, while it runs the NEXT wait, finds that wait's
  // flag clear, and that call is simply run again (EINTR is retried).
  std::atomic<bool> cancelled{false};
  bool finished = false;  // under poolMutex: the call returned, the worker moved on
  int err = 0;
};

// A waiter thread of the pool. Started on demand, it runs one wait after
// another; between waits it sleeps on its condition variable, holding no
// libuv handle (an idle pool does not keep Node alive).
struct Worker {
  std::thread thread;
  pthread_t handle{};
  std::condition_variable wake;
  Wait* wait = nullptr;  // under poolMutex: the wait to run next, or none
  bool retire = false;   // under poolMutex: leave instead of waiting for work
};

// The pool outlives static destruction on purpose (never deleted): a
// std::thread still joinable in a destructor would abort the process at exit.
std::mutex& poolMutex = *new std::mutex();
std::vector<Worker*>& idleWorkers = *new std::vector<Worker*>();
std::vector<Worker*>& allWorkers = *new std::vector<Worker*>();
std::atomic<uint64_t> threadsStarted{0};
std::atomic<uint64_t> staleSignals{0};  // EINTRs that were not their wait's cancel

std::unordered_map<uint32_t, Wait*> waits;
uint32_t nextId = 1;

void NoOp(int) {}

}  // namespace

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

namespace {

int RunCall(Wait* wait) {
  int err = ECANCELED;
  while (!wait->cancelled.load()) {
    err = wait->call->Run();
    // EINTR without this wait's cancel: a stale signal meant for an earlier
    // wait on this thread (or any other interruption): run the call again.
    if (err != EINTR) break;
    if (!wait->cancelled.load()) staleSignals++;
    err = ECANCELED;
  }
  return err;
}

void WorkerMain(Worker* self) {
  // Every signal but ours stays with Node's threads.
  sigset_t set;
  sigfillset(&set);
  sigdelset(&set, CancelSignal());
  pthread_sigmask(SIG_SETMASK, &set, nullptr);
  std::unique_lock<std::mutex> lock(poolMutex);
  for (;;) {
    self->wake.wait(lock, [self] { return self->wait != nullptr || self->retire; });
    if (self->wait == nullptr) return;  // retired while idle
    Wait* wait = self->wait;
    lock.unlock();
    int err = RunCall(wait);
    lock.lock();
    wait->err = err;
    wait->finished = true;  // from here on no cancel signal is sent for it
    self->wait = nullptr;
    idleWorkers.push_back(self);
    lock.unlock();
    // The last touch of `wait` on this thread: the main thread frees it only
    // after this wakes it (OnDone). Outside the lock, so that the main thread
    // never wakes only to wait for the mutex.
    uv_async_send(&wait->done);
    lock.lock();
  }
}

// Takes an idle worker or starts one; hands it `wait`. Throws system_error.
void Dispatch(Wait* wait) {
  std::unique_lock<std::mutex> lock(poolMutex);
  Worker* worker;
  if (!idleWorkers.empty()) {
    worker = idleWorkers.back();
    idleWorkers.pop_back();
  } else {
    auto fresh = std::make_unique<Worker>();
    fresh->thread = std::thread(WorkerMain, fresh.get());  // waits for poolMutex
    fresh->handle = fresh->thread.native_handle();
    // Named before any wait runs on it: its comm in /proc/self/task.
    pthread_setname_np(fresh->handle, "ipc-lab-wait");
    threadsStarted++;
    worker = fresh.release();
    allWorkers.push_back(worker);
  }
  wait->worker = worker;
  worker->wait = wait;
  lock.unlock();
  // Outside the lock: the woken worker does not block at once on the mutex.
  worker->wake.notify_one();
}

// Ends every idle worker and joins it; returns how many. Workers running a
// wait are left alone.
size_t RetireIdle() {
  std::vector<Worker*> leaving;
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    leaving.swap(idleWorkers);
    for (Worker* worker : leaving) {
      worker->retire = true;
      worker->wake.notify_one();
      std::erase(allWorkers, worker);
    }
  }
  for (Worker* worker : leaving) {
    worker->thread.join();
    delete worker;
  }
  return leaving.size();
}

void SignalWorker(Wait* wait) {
  // Under the lock: a finished wait's worker may be idle, or retired and gone.
  std::lock_guard<std::mutex> lock(poolMutex);
  if (!wait->finished) pthread_kill(wait->worker->handle, CancelSignal());
}

void OnHandleClosed(uv_handle_t* handle) {
  Wait* wait = static_cast<Wait*>(handle->data);
  if (--wait->pendingCloses == 0) delete wait;
}

void CloseWait(Wait* wait) {
  wait->pendingCloses = 2;
  uv_close(reinterpret_cast<uv_handle_t*>(&wait->done), OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&wait->resend), OnHandleClosed);
}

void OnDone(uv_async_t* handle) {
  Wait* wait = static_cast<Wait*>(handle->data);
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
  CloseWait(wait);
}

void OnResend(uv_timer_t* handle) { SignalWorker(static_cast<Wait*>(handle->data)); }

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
  SignalWorker(wait);
  wait->resending = true;
  uv_timer_start(&wait->resend, OnResend, 1, 1);
  uv_unref(reinterpret_cast<uv_handle_t*>(&wait->resend));
  return info.Env().Undefined();
}

// pendingBlocking() -> how many waits have not yet reported back (for tests and leak checks).
Napi::Value PendingBlocking(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(waits.size()));
}

// blockingPool() -> { threads, idle, started, stale }: the waiter threads
// alive now, how many of them wait for work, how many were ever started, and
// how many calls were interrupted by a signal that was not their cancel (and
// run again).
Napi::Value BlockingPool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  std::lock_guard<std::mutex> lock(poolMutex);
  out.Set("threads", static_cast<double>(allWorkers.size()));
  out.Set("idle", static_cast<double>(idleWorkers.size()));
  out.Set("started", static_cast<double>(threadsStarted.load()));
  out.Set("stale", static_cast<double>(staleSignals.load()));
  return out;
}

// releaseBlockingThreads() -> how many idle waiter threads were ended (and joined).
Napi::Value ReleaseBlockingThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(RetireIdle()));
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
    Dispatch(wait);
  } catch (const std::system_error& error) {
    CloseWait(wait);
    ThrowErrno(env, error.code().value(), "pthread_create");
  }
  waits[wait->id] = wait;
  return Napi::Number::New(env, wait->id);
}

void InitBlocking(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "cancelWait", CancelWait, 1);
  Export(env, exports, "pendingBlocking", PendingBlocking, 0);
  Export(env, exports, "blockingPool", BlockingPool, 0);
  Export(env, exports, "releaseBlockingThreads", ReleaseBlockingThreads, 0);
  // The environment's end (a worker thread's, or the process's): idle
  // waiter threads are ended and joined, none is left behind.
  napi_add_env_cleanup_hook(env, [](void*) { RetireIdle(); }, nullptr);
}

}  // namespace ipc
