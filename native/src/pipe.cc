// Pipes: pipe2 and the pipe-only fcntl calls. Reading and writing the ends
// are the descriptor calls of fd.cc.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "modules.h"

namespace ipc {
namespace {

// pipe(flags) with flags 1 = O_CLOEXEC, 2 = O_NONBLOCK -> [readFd, writeFd]
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int flags = info.Length() > 0 ? ArgInt(info, 0, "flags") : 0;
  int fds[2];
  int native = ((flags & 1) ? O_CLOEXEC : 0) | ((flags & 2) ? O_NONBLOCK : 0);
  if (pipe2(fds, native) < 0) ThrowErrno(env, errno, "pipe2");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

}  // namespace

void InitPipe(Napi::Env env, Napi::Object exports) {
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
}

}  // namespace ipc
