// Readiness of a descriptor on Node's own event loop (libuv's uv_poll), so
// that a pending read, mq_receive or waitpid parks no thread: eight pending
// receives must not starve the four threads `fs` relies on.
#include <fcntl.h>
#include <uv.h>

#include <unordered_map>

#include "errors.h"
#include "modules.h"

namespace ipc {
namespace {

struct Watch {
  uv_poll_t handle;
  Napi::FunctionReference callback;
  Napi::AsyncContext* context = nullptr;
};

// libuv allows one poll handle per descriptor, so lib/poll.ts multiplexes
// all waiters of one fd onto this single entry.
std::unordered_map<int, Watch*> watches;

void OnClose(uv_handle_t* handle) {
  Watch* watch = static_cast<Watch*>(handle->data);
  delete watch->context;
  delete watch;
}

void OnReady(uv_poll_t* handle, int status, int events) {
  Watch* watch = static_cast<Watch*>(handle->data);
  Napi::Env env = watch->callback.Env();
  Napi::HandleScope scope(env);
  try {
    // status is libuv's negated errno (e.g. -EBADF) or 0.
    watch->callback.MakeCallback(env.Global(),
                                 {Napi::Number::New(env, -status), Napi::Number::New(env, events)},
                                 *watch->context);
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  }
}

// pollStart(fd, events, callback): (re)arms the watch; events is a mask of
// 1 (readable) | 2 (writable) | 4 (disconnect), as in uv_poll_event.
Napi::Value PollStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0, "fd");
  int events = ArgInt(info, 1, "events");
  if (info.Length() < 3 || !info[2].IsFunction()) ThrowTypeError(env, "callback must be a function");
  auto found = watches.find(fd);
  Watch* watch;
  if (found == watches.end()) {
    // uv_poll_init switches the file description to O_NONBLOCK; that flag is
    // shared with every process holding the descriptor (a forked child
    // included), so put the caller's flags back. Reads after readiness use
    // RWF_NOWAIT instead.
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) ThrowErrno(env, errno, "fcntl");
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    watch = new Watch();
    int rc = uv_poll_init(loop, &watch->handle, fd);
    fcntl(fd, F_SETFL, flags);
    if (rc < 0) {
      delete watch;
      ThrowErrno(env, -rc, "uv_poll_init");
    }
    watch->handle.data = watch;
    watch->context = new Napi::AsyncContext(env, "ipc-lab:poll");
    watches[fd] = watch;
  } else {
    watch = found->second;
  }
  watch->callback = Napi::Persistent(info[2].As<Napi::Function>());
  int rc = uv_poll_start(&watch->handle, events, OnReady);
  if (rc < 0) ThrowErrno(env, -rc, "uv_poll_start");
  return env.Undefined();
}

// pollStop(fd): forgets the watch; must run before the descriptor is closed.
Napi::Value PollStop(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  auto found = watches.find(fd);
  if (found != watches.end()) {
    Watch* watch = found->second;
    watches.erase(found);
    uv_poll_stop(&watch->handle);
    watch->callback.Reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&watch->handle), OnClose);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitPoll(Napi::Env env, Napi::Object exports) {
  exports.Set("pollStart", Napi::Function::New(env, PollStart, "pollStart"));
  exports.Set("pollStop", Napi::Function::New(env, PollStop, "pollStop"));
}

}  // namespace ipc
