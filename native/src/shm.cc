// POSIX shared memory: shm_open/shm_unlink name an object in /dev/shm (a
// tmpfs); ftruncate sizes it, fstat reads its size and mode, fallocate
// reserves its pages, and mmap maps it into this process with no copy (see
// mapping.h for how the mapping reaches JavaScript safely).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "errors.h"
#include "mapping.h"
#include "modules.h"

namespace ipc {
namespace {

std::string FdLabel(int fd) { return "fd " + std::to_string(fd); }

// shmOpen(name, flags, mode) -> fd. glibc sets FD_CLOEXEC on it.
Napi::Value ShmOpen(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  int flags = ArgInt(info, 1, "flags");
  int mode = ArgInt(info, 2, "mode");
  int fd = shm_open(name.c_str(), flags, static_cast<mode_t>(mode));
  if (fd < 0) ThrowErrno(info.Env(), errno, "shm_open", name);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value ShmUnlink(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  if (shm_unlink(name.c_str()) < 0) ThrowErrno(info.Env(), errno, "shm_unlink", name);
  return info.Env().Undefined();
}

Napi::Value Ftruncate(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  off_t length = static_cast<off_t>(ArgSize(info, 1, "length"));
  int rc;
  do {
    rc = ftruncate(fd, length);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) ThrowErrno(info.Env(), errno, "ftruncate", FdLabel(fd));
  return info.Env().Undefined();
}

// fallocate(fd, offset, length): allocates the pages now, so that a full
// tmpfs is ENOSPC here instead of SIGBUS at the first store into the mapping.
Napi::Value Fallocate(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0, "fd");
  off_t offset = static_cast<off_t>(ArgSize(info, 1, "offset"));
  off_t length = static_cast<off_t>(ArgSize(info, 2, "length"));
  int rc;
  do {
    rc = fallocate(fd, 0, offset, length);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) ThrowErrno(info.Env(), errno, "fallocate", FdLabel(fd));
  return info.Env().Undefined();
}

Napi::Value Fstat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0, "fd");
  struct stat st;
  if (fstat(fd, &st) < 0) ThrowErrno(env, errno, "fstat", FdLabel(fd));
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
  int fd = ArgFd(info, 3, "fd");
  off_t offset = static_cast<off_t>(ArgSize(info, 4, "offset"));
  void* addr = mmap(nullptr, length, prot, flags, fd, offset);
  if (addr == MAP_FAILED) ThrowErrno(env, errno, "mmap", FdLabel(fd));
  return NewMapping(env, addr, length, MapKind::kMmap);
}

// munmap(handle, buffer): detaches the buffer, then unmaps.
Napi::Value Munmap(const Napi::CallbackInfo& info) {
  Unmap(info, 0, MapKind::kMmap, "munmap");
  return info.Env().Undefined();
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("PROT_NONE", PROT_NONE);
  c.Set("PROT_READ", PROT_READ);
  c.Set("PROT_WRITE", PROT_WRITE);
  c.Set("MAP_SHARED", MAP_SHARED);
  c.Set("MAP_PRIVATE", MAP_PRIVATE);
  c.Set("O_RDONLY", O_RDONLY);
  c.Set("O_RDWR", O_RDWR);
  c.Set("O_CREAT", O_CREAT);
  c.Set("O_EXCL", O_EXCL);
  c.Set("O_TRUNC", O_TRUNC);
  c.Set("NAME_MAX", NAME_MAX);
  c.Set("PAGE_SIZE", static_cast<double>(sysconf(_SC_PAGESIZE)));
  return c;
}

}  // namespace

void InitShm(Napi::Env env, Napi::Object exports) {
  exports.Set("shmOpen", Napi::Function::New(env, ShmOpen, "shmOpen"));
  exports.Set("shmUnlink", Napi::Function::New(env, ShmUnlink, "shmUnlink"));
  exports.Set("ftruncate", Napi::Function::New(env, Ftruncate, "ftruncate"));
  exports.Set("fallocate", Napi::Function::New(env, Fallocate, "fallocate"));
  exports.Set("fstat", Napi::Function::New(env, Fstat, "fstat"));
  exports.Set("mmap", Napi::Function::New(env, Mmap, "mmap"));
  exports.Set("munmap", Napi::Function::New(env, Munmap, "munmap"));
  exports.Set("shmConstants", Constants(env));
}

}  // namespace ipc
