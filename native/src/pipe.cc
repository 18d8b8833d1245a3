// Pipes: pipe2 and the pipe-only fcntl calls (F_GETPIPE_SZ, F_SETPIPE_SZ).
// Reading and writing the ends are the descriptor calls of fd.cc.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "modules.h"

namespace ipc {
namespace {

std::string FdLabel(int fd) { return "fd " + std::to_string(fd); }

// pipe(flags) with flags 1 = O_CLOEXEC, 2 = O_NONBLOCK -> [readFd, writeFd]
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int flags = info.Length() > 0 ? ArgInt(info, 0, "flags") : 0;
  if (flags & ~3) ThrowRangeError(env, "pipe flags must be a mask of 1 and 2, got " + std::to_string(flags));
  int fds[2];
  int native = ((flags & 1) ? O_CLOEXEC : 0) | ((flags & 2) ? O_NONBLOCK : 0);
  if (pipe2(fds, native) < 0) ThrowErrno(env, errno, "pipe2");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

// getPipeSize(fd) -> capacity in bytes (F_GETPIPE_SZ).
Napi::Value GetPipeSize(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  int size = fcntl(fd, F_GETPIPE_SZ);
  if (size < 0) ThrowErrno(info.Env(), errno, "fcntl(F_GETPIPE_SZ)", FdLabel(fd));
  return Napi::Number::New(info.Env(), size);
}

// setPipeSize(fd, size) -> the capacity the kernel chose (rounded up to a
// power-of-two number of pages; EPERM above /proc/sys/fs/pipe-max-size).
Napi::Value SetPipeSize(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  int size = ArgInt(info, 1, "size");
  int got = fcntl(fd, F_SETPIPE_SZ, size);
  if (got < 0) ThrowErrno(info.Env(), errno, "fcntl(F_SETPIPE_SZ)", FdLabel(fd));
  return Napi::Number::New(info.Env(), got);
}

}  // namespace

void InitPipe(Napi::Env env, Napi::Object exports) {
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("getPipeSize", Napi::Function::New(env, GetPipeSize, "getPipeSize"));
  exports.Set("setPipeSize", Napi::Function::New(env, SetPipeSize, "setPipeSize"));
}

}  // namespace ipc
