// The system-call trace's one native need: Yama's ptracer exception.
// Under kernel.yama.ptrace_scope = 1 only a process's ancestors may ptrace it;
// prctl(PR_SET_PTRACER, pid) lets that one process (and its descendants) trace
// the caller too. PR_SET_PTRACER_ANY is refused on purpose: it would let every
// process of the user attach.
#include <sys/prctl.h>

#include <cerrno>

#include "errors.h"
#include "modules.h"

namespace ipc {
namespace {

// setPtracer(pid): pid > 0 names the one tracer; 0 withdraws the exception.
// Without Yama the kernel does not know the option: EINVAL, left to the caller.
Napi::Value SetPtracer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = ArgInt(info, 0, "pid");
  if (pid < 0) ThrowRangeError(env, "pid must be 0 or a process id, got " + std::to_string(pid));
  if (prctl(PR_SET_PTRACER, static_cast<unsigned long>(pid), 0, 0, 0) < 0) {
    ThrowErrno(env, errno, "prctl(PR_SET_PTRACER)", std::to_string(pid));
  }
  return env.Undefined();
}

}  // namespace

void InitTrace(Napi::Env env, Napi::Object exports) {
  exports.Set("setPtracer", Napi::Function::New(env, SetPtracer, "setPtracer"));
}

}  // namespace ipc
