// Memory mapping and the file calls it needs, for every mechanism that maps
// (POSIX shared memory now, memory-mapped files later): ftruncate sizes the
// object, fstat reads its size and mode, fallocate reserves its pages, mmap
// maps it with no copy (see mapping.h for how it reaches JavaScript safely).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "args.h"
#include "mapping.h"
#include "modules.h"

namespace ipc {
namespace {

Napi::Value Ftruncate(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  off_t length = static_cast<off_t>(ArgSize(info, 1, "length"));
  if (RetryEintr([&] { return ftruncate(fd, length); }) < 0) {
    ThrowErrno(info.Env(), errno, "ftruncate", Fd(fd));
  }
  return info.Env().Undefined();
}

// fallocate(fd, offset, length): allocates the pages now, so that a full
// tmpfs is ENOSPC here instead of SIGBUS at the first store into the mapping.
Napi::Value Fallocate(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  off_t offset = static_cast<off_t>(ArgSize(info, 1, "offset"));
  off_t length = static_cast<off_t>(ArgSize(info, 2, "length"));
  if (RetryEintr([&] { return fallocate(fd, 0, offset, length); }) < 0) {
    ThrowErrno(info.Env(), errno, "fallocate", Fd(fd));
  }
  return info.Env().Undefined();
}

Napi::Value Fstat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  struct stat st;
  if (fstat(fd, &st) < 0) ThrowErrno(env, errno, "fstat", Fd(fd));
  Napi::Object out = Napi::Object::New(env);
  out.Set("size", static_cast<double>(st.st_size));
  out.Set("mode", static_cast<double>(st.st_mode));
  out.Set("uid", static_cast<double>(st.st_uid));
  out.Set("gid", static_cast<double>(st.st_gid));
  out.Set("ino", static_cast<double>(st.st_ino));
  out.Set("nlink", static_cast<double>(st.st_nlink));
  out.Set("blocks", static_cast<double>(st.st_blocks));
  return out;
}

// mmap(length, prot, flags, fd, offset) -> { buffer, handle, address }.
// The kernel chooses the address (the lecture's NULL first argument).
Napi::Value Mmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t length = ArgSize(info, 0, "length");
  int prot = ArgInt(info, 1, "prot");
  int flags = ArgInt(info, 2, "flags");
  int fd = ArgFd(info, 3);
  off_t offset = static_cast<off_t>(ArgSize(info, 4, "offset"));
  void* addr = mmap(nullptr, length, prot, flags, fd, offset);
  if (addr == MAP_FAILED) ThrowErrno(env, errno, "mmap", Fd(fd));
  return NewMapping(env, addr, length, MapKind::kMmap);
}

// mmapAnonymous(length, prot, flags) -> { buffer, handle, address }: memory
// backed by no file (MAP_ANONYMOUS, fd -1), zero-filled; MAP_SHARED keeps it
// shared with the children forked afterwards.
Napi::Value MmapAnonymous(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t length = ArgSize(info, 0, "length");
  int prot = ArgInt(info, 1, "prot");
  int flags = ArgInt(info, 2, "flags");
  void* addr = mmap(nullptr, length, prot, flags | MAP_ANONYMOUS, -1, 0);
  if (addr == MAP_FAILED) ThrowErrno(env, errno, "mmap");
  return NewMapping(env, addr, length, MapKind::kMmap);
}

// munmap(handle, buffer): detaches the buffer, then unmaps.
Napi::Value Munmap(const Napi::CallbackInfo& info) {
  Unmap(info, 0, MapKind::kMmap, "munmap");
  return info.Env().Undefined();
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "ftruncate", Ftruncate, 2);
  Export(env, exports, "fallocate", Fallocate, 3);
  Export(env, exports, "fstat", Fstat, 1);
  Export(env, exports, "mmap", Mmap, 5);
  Export(env, exports, "mmapAnonymous", MmapAnonymous, 3);
  Export(env, exports, "munmap", Munmap, 2);
}

}  // namespace ipc
