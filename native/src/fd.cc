// Descriptor calls every mechanism with descriptors shares (pipes now; FIFOs,
// sockets, queues later): read, write, close, dup, dup2 and the fcntl flags.
// readNowait/writeNowait are the one-attempt forms lib/poll.ts calls after
// readiness; each file type has its own way not to block (see TryIo).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "modules.h"

namespace ipc {
namespace {

Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  // Linux releases the descriptor even when close reports EINTR: never retry.
  if (close(fd) < 0 && errno != EINTR) ThrowErrno(info.Env(), errno, "close", Fd(fd));
  return info.Env().Undefined();
}

// read(fd, buffer, offset, length) -> bytes read (0 at EOF); blocks.
Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n = RetryEintr([&] { return read(fd, range.data, range.length); });
  if (n < 0) ThrowErrno(info.Env(), errno, "read", Fd(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// write(fd, buffer, offset, length) -> bytes written; blocks while full.
Napi::Value Write(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n = RetryEintr([&] { return write(fd, range.data, range.length); });
  if (n < 0) ThrowErrno(info.Env(), errno, "write", Fd(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// One attempt that never blocks and never touches O_NONBLOCK, which belongs
// to the open file description (a child may hold the same one):
//  - pipes and FIFOs: RWF_NOWAIT;
//  - sockets (EOPNOTSUPP above): MSG_DONTWAIT;
//  - a descriptor with O_NONBLOCK (a FIFO, see below): the plain call;
//  - anything else (ENOTSOCK): poll with no wait, then the call only if the
//    kernel says it will not block.
ssize_t TryIo(bool reading, int fd, ByteRange range) {
  struct iovec iov = {range.data, range.length};
  ssize_t n = RetryEintr([&] {
    return reading ? preadv2(fd, &iov, 1, -1, RWF_NOWAIT) : pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
  });
  if (n >= 0 || errno != EOPNOTSUPP) return n;
  n = RetryEintr([&] {
    return reading ? recv(fd, range.data, range.length, MSG_DONTWAIT)
                   : send(fd, range.data, range.length, MSG_DONTWAIT | MSG_NOSIGNAL);
  });
  if (n >= 0 || errno != ENOTSOCK) return n;
  // FIFOs have no RWF_NOWAIT (EOPNOTSUPP: fifo_open does not set
  // FMODE_NOWAIT, unlike pipe2), so lib/fifo.ts sets O_NONBLOCK on the
  // description it alone owns: then the plain call never blocks.
  int status = fcntl(fd, F_GETFL);
  if (status >= 0 && (status & O_NONBLOCK)) {
    return RetryEintr([&] {
      return reading ? read(fd, range.data, range.length) : write(fd, range.data, range.length);
    });
  }
  struct pollfd ready = {fd, static_cast<short>(reading ? POLLIN : POLLOUT), 0};
  int rc = RetryEintr([&] { return poll(&ready, 1, 0); });
  if (rc < 0) return -1;
  if (rc == 0) {
    errno = EAGAIN;
    return -1;
  }
  return RetryEintr([&] {
    return reading ? read(fd, range.data, range.length) : write(fd, range.data, range.length);
  });
}

// readNowait/writeNowait(fd, buffer, offset, length) -> bytes, or -1 when the
// call would block (EAGAIN).
Napi::Value Nowait(const Napi::CallbackInfo& info, bool reading) {
  int fd = ArgFd(info, 0);
  ssize_t n = TryIo(reading, fd, ArgByteRange(info, 1));
  if (n < 0 && errno == EAGAIN) return Napi::Number::New(info.Env(), -1);
  if (n < 0) ThrowErrno(info.Env(), errno, reading ? "read" : "write", Fd(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value ReadNowait(const Napi::CallbackInfo& info) { return Nowait(info, true); }
Napi::Value WriteNowait(const Napi::CallbackInfo& info) { return Nowait(info, false); }

// readNonblock/writeNonblock(fd, buffer, offset, length) -> bytes, or -1 on
// EAGAIN: the plain read(2)/write(2), for a descriptor its owner knows to be
// O_NONBLOCK (a Fifo's): one system call, where TryIo's probing of a FIFO
// (RWF_NOWAIT, then MSG_DONTWAIT, then F_GETFL) costs four.
Napi::Value Nonblock(const Napi::CallbackInfo& info, bool reading) {
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n = RetryEintr([&] {
    return reading ? read(fd, range.data, range.length) : write(fd, range.data, range.length);
  });
  if (n < 0 && errno == EAGAIN) return Napi::Number::New(info.Env(), -1);
  if (n < 0) ThrowErrno(info.Env(), errno, reading ? "read" : "write", Fd(fd));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value ReadNonblock(const Napi::CallbackInfo& info) { return Nonblock(info, true); }
Napi::Value WriteNonblock(const Napi::CallbackInfo& info) { return Nonblock(info, false); }

// dup(fd) -> a new descriptor with FD_CLOEXEC (F_DUPFD_CLOEXEC).
Napi::Value Dup(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) ThrowErrno(info.Env(), errno, "dup", Fd(fd));
  return Napi::Number::New(info.Env(), copy);
}

Napi::Value Dup2(const Napi::CallbackInfo& info) {
  int from = ArgFd(info, 0, "oldfd");
  int to = ArgFd(info, 1, "newfd");
  if (RetryEintr([&] { return dup2(from, to); }) < 0) {
    ThrowErrno(info.Env(), errno, "dup2", Fd(from), "onto fd " + std::to_string(to));
  }
  return Napi::Number::New(info.Env(), to);
}

// fdFlags(fd) -> { mode: "r" | "w" | "rw", nonblock, cloexec } (F_GETFL, F_GETFD).
Napi::Value FdFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int status = fcntl(fd, F_GETFL);
  if (status < 0) ThrowErrno(env, errno, "fcntl", Fd(fd));
  int descriptor = fcntl(fd, F_GETFD);
  if (descriptor < 0) ThrowErrno(env, errno, "fcntl", Fd(fd));
  Napi::Object out = Napi::Object::New(env);
  int mode = status & O_ACCMODE;
  out.Set("mode", mode == O_RDONLY ? "r" : mode == O_WRONLY ? "w" : "rw");
  out.Set("nonblock", (status & O_NONBLOCK) != 0);
  out.Set("cloexec", (descriptor & FD_CLOEXEC) != 0);
  return out;
}

// setNonblocking(fd, on): O_NONBLOCK belongs to the open file description,
// so every process holding a copy of the descriptor sees the change.
Napi::Value SetNonblocking(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  bool on = ArgBool(info, 1, "on");
  int status = fcntl(fd, F_GETFL);
  if (status < 0 || fcntl(fd, F_SETFL, on ? status | O_NONBLOCK : status & ~O_NONBLOCK) < 0) {
    ThrowErrno(info.Env(), errno, "fcntl", Fd(fd));
  }
  return info.Env().Undefined();
}

// setCloexec(fd, on): FD_CLOEXEC belongs to this descriptor only.
Napi::Value SetCloexec(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  bool on = ArgBool(info, 1, "on");
  if (fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0) < 0) ThrowErrno(info.Env(), errno, "fcntl", Fd(fd));
  return info.Env().Undefined();
}

}  // namespace

void InitFd(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "close", Close, 1);
  Export(env, exports, "read", Read, 4);
  Export(env, exports, "write", Write, 4);
  Export(env, exports, "readNowait", ReadNowait, 4);
  Export(env, exports, "writeNowait", WriteNowait, 4);
  Export(env, exports, "readNonblock", ReadNonblock, 4);
  Export(env, exports, "writeNonblock", WriteNonblock, 4);
  Export(env, exports, "dup", Dup, 1);
  Export(env, exports, "dup2", Dup2, 2);
  Export(env, exports, "fdFlags", FdFlags, 1);
  Export(env, exports, "setNonblocking", SetNonblocking, 2);
  Export(env, exports, "setCloexec", SetCloexec, 2);
}

}  // namespace ipc
