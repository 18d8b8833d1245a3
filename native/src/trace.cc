// The system-call trace's one native need: Yama's ptracer exception.
// Under kernel.yama.ptrace_scope = 1 only a process's ancestors may ptrace it;
// prctl(PR_SET_PTRACER, pid) lets that one process (and its descendants) trace
// the caller too. PR_SET_PTRACER_ANY is refused on purpose: it would let every
// process of the user attach.
#include <sys/prctl.h>

#include <cerrno>

#include "args.h"
#include "modules.h"

namespace ipc {
namespace {

// setPtracer(pid): pid > 0 names the one tracer; 0 withdraws the exception.
// Without Yama the kernel does not know the option: EINVAL, left to the caller.
Napi::Value SetPtracer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = ArgFd(info, 0, "pid");  // 0 or a process id: a non-negative int
  if (prctl(PR_SET_PTRACER, static_cast<unsigned long>(pid), 0, 0, 0) < 0) {
    ThrowErrno(env, errno, "prctl", Pid(pid), "PR_SET_PTRACER");
  }
  return env.Undefined();
}

}  // namespace

void InitTrace(Napi::Env env, Napi::Object exports) { Export(env, exports, "setPtracer", SetPtracer, 1); }

}  // namespace ipc
