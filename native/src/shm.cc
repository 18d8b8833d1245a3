// POSIX shared memory: shm_open/shm_unlink name an object in /dev/shm (a
// tmpfs). Sizing and mapping it are the general calls of memory.cc.
#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "modules.h"

namespace ipc {
namespace {

// shmOpen(name, flags, mode) -> fd. glibc sets FD_CLOEXEC on it.
Napi::Value ShmOpen(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  int flags = ArgInt(info, 1, "flags");
  int mode = ArgInt(info, 2, "mode");
  int fd = RetryEintr([&] { return shm_open(name.c_str(), flags, static_cast<mode_t>(mode)); });
  if (fd < 0) ThrowErrno(info.Env(), errno, "shm_open", Path(name));
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value ShmUnlink(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  if (shm_unlink(name.c_str()) < 0) ThrowErrno(info.Env(), errno, "shm_unlink", Path(name));
  return info.Env().Undefined();
}

}  // namespace

void InitShm(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "shmOpen", ShmOpen, 3);
  Export(env, exports, "shmUnlink", ShmUnlink, 1);
}

}  // namespace ipc
