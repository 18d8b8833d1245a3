// Readiness of a descriptor on Node's own event loop (libuv's uv_poll), so
// that a pending wait on a descriptor (a read, a child's pidfd) parks no
// thread: eight pending reads must not starve the four threads `fs` relies
// on. Waits with no descriptor to poll are blocking.cc's.
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <uv.h>

#include <unordered_map>
#include <vector>

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

// poll(2) on `count` descriptors, a signal's EINTR polling again for the
// time left (timeout < 0: no limit).
int PollRetrying(struct pollfd* fds, nfds_t count, int timeout) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int left = timeout;
  int rc;
  while ((rc = poll(fds, count, left)) < 0 && errno == EINTR) {
    if (timeout < 0) continue;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long spent = (t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000;
    left = spent >= timeout ? 0 : static_cast<int>(timeout - spent);
  }
  return rc;
}

int ArgTimeout(const Napi::CallbackInfo& info, size_t index) {
  int timeout = ArgInt(info, index, "timeout");
  if (timeout < -1) {
    ThrowRangeError(info.Env(),
                    "The value of \"timeout\" is out of range. It must be >= -1. Received " +
                        std::to_string(timeout));
  }
  return timeout;
}

// poll(fd, events, timeout) -> revents, or 0 when `timeout` ms (-1: no
// limit) pass first. Blocks the process, as C's poll does: the wait of the
// …Sync calls that take a time-out (RpcClient.callSync). A signal's EINTR
// polls again for the time left.
Napi::Value Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int events = ArgInt(info, 1, "events");
  int timeout = ArgTimeout(info, 2);
  struct pollfd p = {fd, static_cast<short>(events), 0};
  int rc = PollRetrying(&p, 1, timeout);
  if (rc < 0) ThrowErrno(env, errno, "poll", Fd(fd));
  return Napi::Number::New(env, rc == 0 ? 0 : p.revents);
}

// pollMany(set, count, timeout) -> how many are ready (0: `timeout` ms
// passed first). `set` is an Int32Array of `count` triples (fd, events,
// revents): poll(2) reads the first two and writes the third, as C's array
// of struct pollfd. The wait of a blocking server (RpcServer.serveSync).
Napi::Value PollMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    ThrowTypeError(env, "set must be an Int32Array of (fd, events, revents) triples");
  }
  Napi::Int32Array set = info[0].As<Napi::Int32Array>();
  size_t count = ArgSize(info, 1, "count");
  int timeout = ArgTimeout(info, 2);
  if (count > set.ElementLength() / 3) {
    ThrowRangeError(env, "count " + std::to_string(count) + " is more than the set's " +
                             std::to_string(set.ElementLength() / 3) + " triples");
  }
  std::vector<struct pollfd> fds(count);
  for (size_t i = 0; i < count; i++) {
    fds[i] = {set[3 * i], static_cast<short>(set[3 * i + 1]), 0};
  }
  int rc = PollRetrying(fds.data(), count, timeout);
  if (rc < 0) ThrowErrno(env, errno, "poll");
  for (size_t i = 0; i < count; i++) set[3 * i + 2] = fds[i].revents;
  return Napi::Number::New(env, rc);
}

}  // namespace

void InitPoll(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "pollStart", PollStart, 3);
  Export(env, exports, "pollStop", PollStop, 1);
  Export(env, exports, "pollHandles", PollHandles, 0);
  Export(env, exports, "poll", Poll, 3);
  Export(env, exports, "pollMany", PollMany, 3);
}

}  // namespace ipc
