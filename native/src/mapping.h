// A mapping (mmap or shmat) handed to JavaScript with no copy: an external
// ArrayBuffer over the mapped pages, plus a handle that owns the mapping.
//
// Safety rule: the pages are released only after the ArrayBuffer is
// detached, so every JavaScript view of it has length 0 and no JavaScript
// can reach the released addresses. The handle and the ArrayBuffer's
// finalizer share one MappingState; whichever goes last releases the
// mapping if nobody did, and never twice.
#pragma once
#include <napi.h>

#include <cstddef>
#include <memory>

namespace ipc {

enum class MapKind { kMmap, kShmat };

struct MappingState {
  void* addr;
  size_t length;
  MapKind kind;
  bool mapped = true;

  MappingState(void* a, size_t n, MapKind k) : addr(a), length(n), kind(k) {}
  ~MappingState();
  // munmap or shmdt; returns 0 or the errno.
  int Release();
};

// { buffer: ArrayBuffer, handle: External, address: "0x7f…" } for a fresh mapping.
Napi::Object NewMapping(Napi::Env env, void* addr, size_t length, MapKind kind);

// Detaches info[index + 1] (the ArrayBuffer) and releases the mapping of
// info[index] (the handle), which must be of `kind`; `syscall` names the call
// in errors ("munmap", "shmdt").
void Unmap(const Napi::CallbackInfo& info, size_t index, MapKind kind, const char* syscall);

// The live mmap mapping whose handle is info[index] (msync, madvise, mincore
// take it); throws a TypeError for anything else and EINVAL once released.
MappingState& MappedRegion(const Napi::CallbackInfo& info, size_t index, const char* syscall);

}  // namespace ipc
