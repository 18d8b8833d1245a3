// POSIX named semaphores: sem_open names one in /dev/shm ("sem.NAME"),
// sem_post and sem_trywait never block, sem_wait does, so it runs as a
// blocking wait (blocking.h) and never parks the event loop or libuv's pool.
// A handle owns its sem_t; sem_close waits until no wait uses it any more.
#include <fcntl.h>
#include <semaphore.h>

#include <cerrno>
#include <memory>
#include <string>

#include "args.h"
#include "blocking.h"
#include "modules.h"

namespace ipc {
namespace {

struct Sem {
  sem_t* sem;
  std::string name;
  Sem(sem_t* s, std::string n) : sem(s), name(std::move(n)) {}
  Sem(const Sem&) = delete;  // one owner of the sem_t: it is closed once
  Sem& operator=(const Sem&) = delete;
  ~Sem() { sem_close(sem); }
};
using SemRef = std::shared_ptr<Sem>;

// The handle JS holds; close() drops its reference (the last user closes).
struct SemHandle {
  SemRef ref;
};

void FinalizeHandle(Napi::Env, SemHandle* handle) { delete handle; }

SemRef ArgSem(const Napi::CallbackInfo& info, size_t index) {
  if (index >= info.Length() || !info[index].IsExternal()) {
    ThrowTypeError(info.Env(), "semaphore must be a handle from semOpen");
  }
  SemHandle* handle = info[index].As<Napi::External<SemHandle>>().Data();
  if (!handle->ref) ThrowInvalidValue(info.Env(), "the semaphore is closed");
  return handle->ref;
}

// semOpen(name, flags, mode, value) -> handle
Napi::Value SemOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = ArgString(info, 0, "name");
  int flags = ArgInt(info, 1, "flags");
  int mode = ArgInt(info, 2, "mode");
  int value = ArgInt(info, 3, "value");
  sem_t* sem = sem_open(name.c_str(), flags, static_cast<mode_t>(mode), static_cast<unsigned>(value));
  if (sem == SEM_FAILED) ThrowErrno(env, errno, "sem_open", Path(name));
  SemHandle* handle = new SemHandle{std::make_shared<Sem>(sem, name)};
  return Napi::External<SemHandle>::New(env, handle, FinalizeHandle);
}

// semClose(handle): the sem_close happens when the last pending wait is done.
Napi::Value SemClose(const Napi::CallbackInfo& info) {
  ArgSem(info, 0);
  info[0].As<Napi::External<SemHandle>>().Data()->ref.reset();
  return info.Env().Undefined();
}

Napi::Value SemUnlink(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  if (sem_unlink(name.c_str()) < 0) ThrowErrno(info.Env(), errno, "sem_unlink", Path(name));
  return info.Env().Undefined();
}

Napi::Value SemPost(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  if (sem_post(sem->sem) < 0) ThrowErrno(info.Env(), errno, "sem_post", Path(sem->name));
  return info.Env().Undefined();
}

// semTrywait(handle) -> true if it took one, false if the value was 0 (EAGAIN).
Napi::Value SemTrywait(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int rc = RetryEintr([&] { return sem_trywait(sem->sem); });
  if (rc < 0 && errno == EAGAIN) return Napi::Boolean::New(info.Env(), false);
  if (rc < 0) ThrowErrno(info.Env(), errno, "sem_trywait", Path(sem->name));
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Value SemGetvalue(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int value = 0;
  if (sem_getvalue(sem->sem, &value) < 0) {
    ThrowErrno(info.Env(), errno, "sem_getvalue", Path(sem->name));
  }
  return Napi::Number::New(info.Env(), value);
}

class SemWaitCall : public BlockingCall {
 public:
  explicit SemWaitCall(SemRef sem) : sem_(std::move(sem)) {}
  int Run() override { return sem_wait(sem_->sem) == 0 ? 0 : errno; }
  const char* Syscall() const override { return "sem_wait"; }
  Subject About() const override { return Path(sem_->name); }

 private:
  SemRef sem_;  // keeps the sem_t open while the thread waits on it
};

// semWait(handle, callback) -> wait id; callback(error | null) when it returns.
Napi::Value SemWait(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  Napi::Function callback = ArgFunction(info, 1, "callback");
  return StartBlocking(info.Env(), std::make_unique<SemWaitCall>(sem), callback);
}

}  // namespace

void InitSem(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "semOpen", SemOpen, 4);
  Export(env, exports, "semClose", SemClose, 1);
  Export(env, exports, "semUnlink", SemUnlink, 1);
  Export(env, exports, "semPost", SemPost, 1);
  Export(env, exports, "semTrywait", SemTrywait, 1);
  Export(env, exports, "semGetvalue", SemGetvalue, 1);
  Export(env, exports, "semWait", SemWait, 2);
}

}  // namespace ipc
