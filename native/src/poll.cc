// Readiness of a descriptor on Node's own event loop (libuv's uv_poll), so
// that a pending wait on a descriptor (a read, a child's pidfd) parks no
// thread: eight pending reads must not starve the four threads `fs` relies
// on. Waits with no descriptor to poll are blocking.cc's.
#include <fcntl.h>
#include <poll.h>
#include <time.h>
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

// poll(fd, events, timeout) -> revents, or 0 when `timeout` ms (-1: no
// limit) pass first. Blocks the process, as C's poll does: the wait of the
// …Sync calls that take a time-out (RpcClient.callSync). A signal's EINTR
// polls again for the time left.
Napi::Value Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int events = ArgInt(info, 1, "events");
  int timeout = ArgInt(info, 2, "timeout");
  if (timeout < -1) {
    ThrowRangeError(env, "The value of \"timeout\" is out of range. It must be >= -1. Received " +
                             std::to_string(timeout));
  }
  struct pollfd p = {fd, static_cast<short>(events), 0};
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int left = timeout;
  int rc;
  while ((rc = poll(&p, 1, left)) < 0 && errno == EINTR) {
    if (timeout < 0) continue;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long spent = (t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000;
    left = spent >= timeout ? 0 : static_cast<int>(timeout - spent);
  }
  if (rc < 0) ThrowErrno(env, errno, "poll", Fd(fd));
  return Napi::Number::New(env, rc == 0 ? 0 : p.revents);
}

}  // namespace

void InitPoll(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "pollStart", PollStart, 3);
  Export(env, exports, "pollStop", PollStop, 1);
  Export(env, exports, "pollHandles", PollHandles, 0);
  Export(env, exports, "poll", Poll, 3);
}

}  // namespace ipc
