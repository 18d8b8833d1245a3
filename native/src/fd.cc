// Descriptor calls shared by every mechanism that hands out descriptors
// (pipes, FIFOs, sockets): read, write, close, dup, dup2. The *Nowait variants
// never block (RWF_NOWAIT), for lib/poll.ts to call after readiness.
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "buffer.h"
#include "errors.h"
#include "modules.h"

namespace ipc {
namespace {

std::string FdLabel(int fd) { return "fd " + std::to_string(fd); }

Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  // Linux releases the descriptor even when close reports EINTR: never retry.
  if (close(fd) < 0 && errno != EINTR) ThrowErrno(info.Env(), errno, "close", FdLabel(fd));
  return info.Env().Undefined();
}

// read(fd, buffer, offset, length) -> bytes read (0 at EOF); blocks.
Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n;
  do {
    n = read(fd, range.data, range.length);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(info.Env(), errno, "read", FdLabel(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// write(fd, buffer, offset, length) -> bytes written; blocks while full.
Napi::Value Write(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n;
  do {
    n = write(fd, range.data, range.length);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(info.Env(), errno, "write", FdLabel(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// One non-blocking attempt: RWF_NOWAIT leaves the shared O_NONBLOCK flag of
// the file description alone (a child may hold the same description).
ssize_t TryIo(bool reading, int fd, ByteRange range) {
  struct iovec iov = {range.data, range.length};
  ssize_t n;
  do {
    n = reading ? preadv2(fd, &iov, 1, -1, RWF_NOWAIT) : pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EOPNOTSUPP) {
    // Older kernels or other file types: readiness was reported, so a plain
    // call returns at once in the single-reader case.
    do {
      n = reading ? read(fd, range.data, range.length) : write(fd, range.data, range.length);
    } while (n < 0 && errno == EINTR);
  }
  return n;
}

// readNowait/writeNowait(fd, buffer, offset, length) -> bytes, or -1 when the
// call would block (EAGAIN).
Napi::Value ReadNowait(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  ssize_t n = TryIo(true, fd, ArgByteRange(info, 1));
  if (n < 0 && errno == EAGAIN) return Napi::Number::New(info.Env(), -1);
  if (n < 0) ThrowErrno(info.Env(), errno, "read", FdLabel(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value WriteNowait(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  ssize_t n = TryIo(false, fd, ArgByteRange(info, 1));
  if (n < 0 && errno == EAGAIN) return Napi::Number::New(info.Env(), -1);
  if (n < 0) ThrowErrno(info.Env(), errno, "write", FdLabel(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value Dup(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) ThrowErrno(info.Env(), errno, "dup", FdLabel(fd));
  return Napi::Number::New(info.Env(), copy);
}

Napi::Value Dup2(const Napi::CallbackInfo& info) {
  int from = ArgFd(info, 0, "oldfd");
  int to = ArgFd(info, 1, "newfd");
  if (dup2(from, to) < 0) {
    ThrowErrno(info.Env(), errno, "dup2", FdLabel(from) + " -> " + std::to_string(to));
  }
  return Napi::Number::New(info.Env(), to);
}

// getStatusFlags(fd) -> { nonblock, cloexec, mode: "r" | "w" | "rw" }.
Napi::Value GetFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0, "fd");
  int status = fcntl(fd, F_GETFL);
  if (status < 0) ThrowErrno(env, errno, "fcntl(F_GETFL)", FdLabel(fd));
  int descriptor = fcntl(fd, F_GETFD);
  if (descriptor < 0) ThrowErrno(env, errno, "fcntl(F_GETFD)", FdLabel(fd));
  Napi::Object out = Napi::Object::New(env);
  int mode = status & O_ACCMODE;
  out.Set("mode", mode == O_RDONLY ? "r" : mode == O_WRONLY ? "w" : "rw");
  out.Set("nonblock", (status & O_NONBLOCK) != 0);
  out.Set("cloexec", (descriptor & FD_CLOEXEC) != 0);
  return out;
}

// setNonblock(fd, on): O_NONBLOCK belongs to the open file description, so
// every process holding a copy of the descriptor sees the change.
Napi::Value SetNonblock(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  bool on = info.Length() > 1 && info[1].ToBoolean();
  int status = fcntl(fd, F_GETFL);
  if (status < 0 || fcntl(fd, F_SETFL, on ? status | O_NONBLOCK : status & ~O_NONBLOCK) < 0) {
    ThrowErrno(info.Env(), errno, "fcntl(F_SETFL)", FdLabel(fd));
  }
  return info.Env().Undefined();
}

// setCloexec(fd, on): FD_CLOEXEC belongs to this descriptor only.
Napi::Value SetCloexec(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  bool on = info.Length() > 1 && info[1].ToBoolean();
  if (fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0) < 0) {
    ThrowErrno(info.Env(), errno, "fcntl(F_SETFD)", FdLabel(fd));
  }
  return info.Env().Undefined();
}

}  // namespace

void InitFd(Napi::Env env, Napi::Object exports) {
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("readNowait", Napi::Function::New(env, ReadNowait, "readNowait"));
  exports.Set("writeNowait", Napi::Function::New(env, WriteNowait, "writeNowait"));
  exports.Set("dup", Napi::Function::New(env, Dup, "dup"));
  exports.Set("dup2", Napi::Function::New(env, Dup2, "dup2"));
  exports.Set("getFlags", Napi::Function::New(env, GetFlags, "getFlags"));
  exports.Set("setNonblock", Napi::Function::New(env, SetNonblock, "setNonblock"));
  exports.Set("setCloexec", Napi::Function::New(env, SetCloexec, "setCloexec"));
}

}  // namespace ipc
