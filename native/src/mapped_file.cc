// Memory-mapped files (chapter 07): open(2) of a regular file to map it, and
// the calls that act on a file mapping's pages: msync (write dirty pages
// back), madvise (hint how they will be used), mincore (which are in memory
// now), posix_fadvise (drop the file from the page cache, to watch lazy
// loading), and getrusage's page-fault counts. mmap/munmap themselves are
// the general calls of memory.cc.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "mapping.h"
#include "modules.h"

namespace ipc {
namespace {

// open(path, flags, mode) -> fd, always close-on-exec (as glibc's shm_open).
Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int flags = ArgInt(info, 1, "flags");
  int mode = ArgInt(info, 2, "mode");
  int fd = RetryEintr(
      [&] { return open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode)); });
  if (fd < 0) ThrowErrno(info.Env(), errno, "open", Path(path));
  return Napi::Number::New(info.Env(), fd);
}

// The [offset, offset + length) range of a mapping, checked against it.
char* Range(const Napi::CallbackInfo& info, MappingState& state, size_t* length) {
  size_t offset = ArgSize(info, 1, "offset");
  *length = ArgSize(info, 2, "length");
  if (offset > state.length || *length > state.length - offset) {
    ThrowRangeError(info.Env(), "the range is past the end of the mapping");
  }
  return static_cast<char*>(state.addr) + offset;
}

// msync(handle, offset, length, flags): offset must be page-aligned (EINVAL).
Napi::Value Msync(const Napi::CallbackInfo& info) {
  MappingState& state = MappedRegion(info, 0, "msync");
  size_t length;
  char* start = Range(info, state, &length);
  int flags = ArgInt(info, 3, "flags");
  if (msync(start, length, flags) < 0) ThrowErrno(info.Env(), errno, "msync");
  return info.Env().Undefined();
}

// madvise(handle, offset, length, advice).
Napi::Value Madvise(const Napi::CallbackInfo& info) {
  MappingState& state = MappedRegion(info, 0, "madvise");
  size_t length;
  char* start = Range(info, state, &length);
  int advice = ArgInt(info, 3, "advice");
  if (madvise(start, length, advice) < 0) ThrowErrno(info.Env(), errno, "madvise");
  return info.Env().Undefined();
}

// mincore(handle) -> Buffer with one byte per page: bit 0 set when the page is
// in memory (the page cache, for a file) right now.
Napi::Value Mincore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MappingState& state = MappedRegion(info, 0, "mincore");
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t pages = (state.length + page - 1) / page;
  Napi::Buffer<unsigned char> vec = Napi::Buffer<unsigned char>::New(env, pages);
  if (mincore(state.addr, state.length, vec.Data()) < 0) ThrowErrno(env, errno, "mincore");
  return vec;
}

// posix_fadvise(fd, offset, length, advice): returns the error, not errno.
Napi::Value PosixFadvise(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  off_t offset = static_cast<off_t>(ArgSize(info, 1, "offset"));
  off_t length = static_cast<off_t>(ArgSize(info, 2, "length"));
  int advice = ArgInt(info, 3, "advice");
  int err = posix_fadvise(fd, offset, length, advice);
  if (err != 0) ThrowErrno(info.Env(), err, "posix_fadvise", Fd(fd));
  return info.Env().Undefined();
}

// getrusage(RUSAGE_SELF) -> { minflt, majflt }: page faults this process has
// taken, served from memory (minor) or needing I/O (major).
Napi::Value Getrusage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) < 0) ThrowErrno(env, errno, "getrusage");
  Napi::Object out = Napi::Object::New(env);
  out.Set("minflt", static_cast<double>(usage.ru_minflt));
  out.Set("majflt", static_cast<double>(usage.ru_majflt));
  out.Set("maxrss", static_cast<double>(usage.ru_maxrss));
  return out;
}

}  // namespace

void InitMappedFile(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "open", Open, 3);
  Export(env, exports, "msync", Msync, 4);
  Export(env, exports, "madvise", Madvise, 4);
  Export(env, exports, "mincore", Mincore, 1);
  Export(env, exports, "posixFadvise", PosixFadvise, 4);
  Export(env, exports, "getrusage", Getrusage, 0);
}

}  // namespace ipc
