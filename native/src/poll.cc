// Readiness of a descriptor on Node's own event loop (libuv's uv_poll), so
// that a pending wait on a descriptor (a read, a child's pidfd) parks no
// thread: eight pending reads must not starve the four threads `fs` relies
// on. Waits with no descriptor to poll are blocking.cc's.
#include <fcntl.h>
#include <uv.h>

#include <unordered_map>

#include "args.h"
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
// UV_READABLE | UV_WRITABLE | UV_DISCONNECT (constants), 0 to pause it.
Napi::Value PollStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int events = ArgInt(info, 1, "events");
  Napi::Function callback = ArgFunction(info, 2, "callback");
  auto found = watches.find(fd);
  Watch* watch;
  if (found == watches.end()) {
    // uv_poll_init switches the file description to O_NONBLOCK; that flag is
    // shared with every process holding the descriptor (a forked child
    // included), so put the caller's flags back. Reads after readiness use
    // RWF_NOWAIT instead.
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) ThrowErrno(env, errno, "fcntl", Fd(fd));
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    watch = new Watch();
    int rc = uv_poll_init(loop, &watch->handle, fd);
    fcntl(fd, F_SETFL, flags);
    if (rc < 0) {
      delete watch;
      ThrowErrno(env, -rc, "epoll_ctl", Fd(fd));  // what uv_poll_init calls
    }
    watch->handle.data = watch;
    watch->context = new Napi::AsyncContext(env, "ipc-lab:poll");
    watches[fd] = watch;
  } else {
    watch = found->second;
  }
  watch->callback = Napi::Persistent(callback);
  int rc = uv_poll_start(&watch->handle, events, OnReady);
  if (rc < 0) ThrowErrno(env, -rc, "epoll_ctl", Fd(fd));  // what uv_poll_start calls
  return env.Undefined();
}

// pollStop(fd): forgets the watch; must run before the descriptor is closed.
Napi::Value PollStop(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
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

// pollHandles() -> how many uv_poll handles are open (one per watched descriptor).
Napi::Value PollHandles(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(watches.size()));
}

}  // namespace

void InitPoll(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "pollStart", PollStart, 3);
  Export(env, exports, "pollStop", PollStop, 1);
  Export(env, exports, "pollHandles", PollHandles, 0);
}

}  // namespace ipc
