// Pipes: pipe2 and the pipe-only fcntl calls (F_GETPIPE_SZ, F_SETPIPE_SZ).
// Reading and writing the ends are the descriptor calls of fd.cc; the child
// routines chapter 02 forks are in pipe_routines.cc.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "modules.h"

namespace ipc {
namespace {

// pipe(flags) -> [readFd, writeFd]; flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT, as pipe2 takes them.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int flags = ArgInt(info, 0, "flags");
  int fds[2];
  if (pipe2(fds, flags) < 0) ThrowErrno(env, errno, "pipe2");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

// pipeSize(fd) -> capacity in bytes (F_GETPIPE_SZ).
Napi::Value PipeSize(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int size = fcntl(fd, F_GETPIPE_SZ);
  if (size < 0) ThrowErrno(info.Env(), errno, "fcntl", Fd(fd), "F_GETPIPE_SZ");
  return Napi::Number::New(info.Env(), size);
}

// setPipeSize(fd, size) -> the capacity the kernel chose (rounded up to a
// power-of-two number of pages; EPERM above /proc/sys/fs/pipe-max-size).
Napi::Value SetPipeSize(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int size = ArgInt(info, 1, "size");
  int got = fcntl(fd, F_SETPIPE_SZ, size);
  if (got < 0) ThrowErrno(info.Env(), errno, "fcntl", Fd(fd), "F_SETPIPE_SZ");
  return Napi::Number::New(info.Env(), got);
}

}  // namespace

void InitPipe(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "pipe", Pipe, 1);
  Export(env, exports, "pipeSize", PipeSize, 1);
  Export(env, exports, "setPipeSize", SetPipeSize, 2);
}

}  // namespace ipc
