#include "mapping.h"

#include <sys/mman.h>
#include <sys/shm.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "args.h"

namespace ipc {

using StateRef = std::shared_ptr<MappingState>;

MappingState::~MappingState() {
  if (mapped) Release();
}

int MappingState::Release() {
  if (!mapped) return 0;
  int rc = kind == MapKind::kMmap ? munmap(addr, length) : shmdt(addr);
  if (rc < 0) return errno;
  mapped = false;
  return 0;
}

namespace {

// Called on the JS thread when the ArrayBuffer is collected (or the
// environment shuts down): drops this owner's reference.
void FinalizeBuffer(Napi::Env, void*, StateRef* ref) { delete ref; }
void FinalizeHandle(Napi::Env, StateRef* ref) { delete ref; }

std::string Hex(const void* addr) {
  char text[32];
  std::snprintf(text, sizeof text, "%p", addr);
  return text;
}

}  // namespace

Napi::Object NewMapping(Napi::Env env, void* addr, size_t length, MapKind kind) {
  StateRef state = std::make_shared<MappingState>(addr, length, kind);
  Napi::Object out = Napi::Object::New(env);
  // Both owners are created before anything can throw, so the mapping is
  // released by their finalizers even if building `out` fails.
  Napi::External<StateRef> handle =
      Napi::External<StateRef>::New(env, new StateRef(state), FinalizeHandle);
  Napi::ArrayBuffer buffer =
      Napi::ArrayBuffer::New(env, addr, length, FinalizeBuffer, new StateRef(state));
  out.Set("buffer", buffer);
  out.Set("handle", handle);
  out.Set("address", Hex(addr));
  return out;
}

void Unmap(const Napi::CallbackInfo& info, size_t index, MapKind kind, const char* syscall) {
  Napi::Env env = info.Env();
  if (index + 1 >= info.Length() || !info[index].IsExternal() || !info[index + 1].IsArrayBuffer()) {
    ThrowTypeError(env, std::string(syscall) + ": expected a mapping handle and its ArrayBuffer");
  }
  StateRef state = *info[index].As<Napi::External<StateRef>>().Data();
  Napi::ArrayBuffer buffer = info[index + 1].As<Napi::ArrayBuffer>();
  if (state->kind != kind) {
    ThrowTypeError(env, std::string(syscall) + ": this mapping was made by " +
                            (state->kind == MapKind::kMmap ? "mmap; use munmap" : "shmat; use shmdt"));
  }
  if (!state->mapped) ThrowErrno(env, EINVAL, syscall);  // lib/ guards this; C would say EINVAL too
  if (buffer.Data() != state->addr) {
    ThrowTypeError(env, std::string(syscall) + ": the ArrayBuffer is not this mapping's");
  }
  // Views first: after Detach every Buffer/DataView over the pages has length 0.
  buffer.Detach();
  int err = state->Release();
  if (err != 0) ThrowErrno(env, err, syscall);
}

MappingState& MappedRegion(const Napi::CallbackInfo& info, size_t index, const char* syscall) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsExternal()) {
    ThrowTypeError(env, std::string(syscall) + ": expected a mapping handle");
  }
  StateRef state = *info[index].As<Napi::External<StateRef>>().Data();
  if (state->kind != MapKind::kMmap) {
    ThrowTypeError(env, std::string(syscall) + ": this mapping was made by shmat, not mmap");
  }
  if (!state->mapped) ThrowErrno(env, ENOMEM, syscall);  // the kernel's answer for unmapped pages
  return *state;
}

}  // namespace ipc
