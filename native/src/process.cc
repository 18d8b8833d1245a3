// Processes: getpid/getppid, a real fork() whose child runs a C routine until
// _exit, waitpid with the status decoded, pidfd_open for awaitable waits, kill.
#include <signal.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "errors.h"
#include "modules.h"
#include "routines.h"

namespace ipc {
namespace {

Napi::Value GetPid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), getpid());
}

Napi::Value GetPpid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), getppid());
}

std::vector<int> IntArray(const Napi::CallbackInfo& info, size_t index, const char* name) {
  std::vector<int> out;
  if (index >= info.Length() || info[index].IsUndefined()) return out;
  if (!info[index].IsArray()) ThrowTypeError(info.Env(), std::string(name) + " must be an array");
  Napi::Array array = info[index].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value value = array[i];
    if (!value.IsNumber()) ThrowTypeError(info.Env(), std::string(name) + " must hold integers");
    int fd = value.As<Napi::Number>().Int32Value();
    if (fd < 0) {
      ThrowRangeError(info.Env(),
                      std::string(name) + " must hold descriptors >= 0, got " + std::to_string(fd));
    }
    out.push_back(fd);
  }
  return out;
}

// Everything below runs in the child and must stay async-signal-safe.
[[noreturn]] void ChildFail(const char* what) {
  int err = errno;
  WriteStr(2, "ipc-lab child: ");
  WriteStr(2, what);
  WriteStr(2, " failed, errno ");
  WriteLong(2, err);
  WriteStr(2, "\n");
  _exit(127);
}

void ChildResetSignals() {
  // Node's handlers point into Node, and Node ignores SIGPIPE: the child gets
  // the defaults a freshly exec'd C program would have.
  struct sigaction action = {};
  action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

void ChildMapFds(const std::vector<int>& from, const std::vector<int>& to) {
  // Move every source out of the way first so that overlapping maps
  // (e.g. 3->0 and 0->3) do not clobber each other.
  int temp[64];
  for (size_t i = 0; i < from.size(); ++i) {
    temp[i] = fcntl(from[i], F_DUPFD, 256);
    if (temp[i] < 0) ChildFail("fcntl(F_DUPFD)");
  }
  for (size_t i = 0; i < from.size(); ++i) {
    if (dup2(temp[i], to[i]) < 0) ChildFail("dup2");
  }
  for (size_t i = 0; i < from.size(); ++i) close(temp[i]);
}

void ChildCloseOthers(const std::vector<int>& keep) {  // keep is sorted
  unsigned int low = 3;
  for (int fd : keep) {
    if (fd < 3) continue;
    if (static_cast<unsigned int>(fd) > low) syscall(SYS_close_range, low, fd - 1, 0);
    low = fd + 1;
  }
  syscall(SYS_close_range, low, ~0U, 0);
}

// fork(routine, args, fdMap, closeFds, closeOthers) -> pid
//   fdMap: [from0, to0, from1, to1, ...] applied with dup2 in the child.
Napi::Value Fork(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = ArgString(info, 0, "routine");
  const RoutineEntry* routine = FindRoutine(name.c_str());
  if (routine == nullptr) {
    std::string known;
    size_t count;
    const RoutineEntry* all = Routines(&count);
    for (size_t i = 0; i < count; ++i) known += (i ? ", " : "") + std::string(all[i].name);
    Napi::Error error = Napi::Error::New(
        env, "fork: unknown child routine '" + name + "' (known: " + known + ")");
    error.Set("code", "ERR_UNKNOWN_ROUTINE");
    throw error;
  }
  std::vector<std::string> argStore;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsArray()) ThrowTypeError(env, "args must be an array of strings");
    Napi::Array array = info[1].As<Napi::Array>();
    if (array.Length() > kMaxRoutineArgs) {
      ThrowRangeError(env, "args: at most " + std::to_string(kMaxRoutineArgs) + " arguments");
    }
    for (uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value value = array[i];
      argStore.push_back(value.ToString().Utf8Value());
    }
  }
  RoutineArgs args;
  args.count = argStore.size();
  for (size_t i = 0; i < argStore.size(); ++i) args.values[i] = argStore[i].c_str();

  std::vector<int> map = IntArray(info, 2, "fdMap");
  if (map.size() % 2 != 0 || map.size() / 2 > 64) {
    ThrowRangeError(env, "fdMap must hold [from, to] pairs (at most 64)");
  }
  std::vector<int> from, to;
  for (size_t i = 0; i < map.size(); i += 2) {
    if (fcntl(map[i], F_GETFD) < 0) ThrowErrno(env, errno, "fork", "fd " + std::to_string(map[i]));
    from.push_back(map[i]);
    to.push_back(map[i + 1]);
  }
  std::vector<int> closeFds = IntArray(info, 3, "closeFds");
  bool closeOthers = info.Length() > 4 && info[4].ToBoolean();
  std::vector<int> keep = to;
  std::sort(keep.begin(), keep.end());  // sorted here: the child must not allocate

  pid_t pid = fork();
  if (pid < 0) ThrowErrno(env, errno, "fork");
  if (pid == 0) {
    ChildResetSignals();
    ChildMapFds(from, to);
    for (int fd : closeFds) {
      if (std::find(to.begin(), to.end(), fd) == to.end()) close(fd);
    }
    if (closeOthers) ChildCloseOthers(keep);
    _exit(routine->run(args));
  }
  return Napi::Number::New(env, pid);
}

Napi::Value ListRoutines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t count;
  const RoutineEntry* all = Routines(&count);
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; ++i) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", all[i].name);
    entry.Set("summary", all[i].summary);
    out.Set(static_cast<uint32_t>(i), entry);
  }
  return out;
}

Napi::Object DecodeStatus(Napi::Env env, pid_t pid, int status) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", pid);
  out.Set("raw", status);
  auto signalName = [](int sig) {
    const char* abbrev = sigabbrev_np(sig);
    std::string name = "SIG";
    name += abbrev != nullptr ? std::string(abbrev) : std::to_string(sig);
    return name;
  };
  if (WIFEXITED(status)) {
    out.Set("kind", "exited");
    out.Set("code", WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    out.Set("kind", "killed");
    out.Set("signal", signalName(WTERMSIG(status)));
    out.Set("signalNumber", WTERMSIG(status));
    out.Set("coreDumped", static_cast<bool>(WCOREDUMP(status)));
  } else if (WIFSTOPPED(status)) {
    out.Set("kind", "stopped");
    out.Set("signal", signalName(WSTOPSIG(status)));
    out.Set("signalNumber", WSTOPSIG(status));
  } else {
    out.Set("kind", "continued");
  }
  return out;
}

// waitpid(pid, flags) with flags 1 = WNOHANG, 2 = WUNTRACED, 4 = WCONTINUED;
// null when WNOHANG and nothing changed. Without WNOHANG it blocks.
Napi::Value WaitPid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = ArgInt(info, 0, "pid");
  int flags = ArgInt(info, 1, "flags");
  int options = ((flags & 1) ? WNOHANG : 0) | ((flags & 2) ? WUNTRACED : 0) |
                ((flags & 4) ? WCONTINUED : 0);
  int status = 0;
  pid_t got;
  do {
    got = waitpid(pid, &status, options);
  } while (got < 0 && errno == EINTR);
  if (got < 0) ThrowErrno(env, errno, "waitpid", "pid " + std::to_string(pid));
  if (got == 0) return env.Null();
  return DecodeStatus(env, got, status);
}

// pidfd_open(pid): a descriptor that becomes readable when the child exits.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  int pid = ArgInt(info, 0, "pid");
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) ThrowErrno(info.Env(), errno, "pidfd_open", "pid " + std::to_string(pid));
  return Napi::Number::New(info.Env(), static_cast<double>(fd));
}

Napi::Value Kill(const Napi::CallbackInfo& info) {
  int pid = ArgInt(info, 0, "pid");
  int sig = ArgInt(info, 1, "signal");
  if (kill(pid, sig) < 0) ThrowErrno(info.Env(), errno, "kill", "pid " + std::to_string(pid));
  return info.Env().Undefined();
}

Napi::Value GetDemoValue(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_demoValue));
}

Napi::Value SetDemoValue(const Napi::CallbackInfo& info) {
  g_demoValue = ArgInt(info, 0, "value");
  return info.Env().Undefined();
}

}  // namespace

void InitProcess(Napi::Env env, Napi::Object exports) {
  exports.Set("getpid", Napi::Function::New(env, GetPid, "getpid"));
  exports.Set("getppid", Napi::Function::New(env, GetPpid, "getppid"));
  exports.Set("fork", Napi::Function::New(env, Fork, "fork"));
  exports.Set("listRoutines", Napi::Function::New(env, ListRoutines, "listRoutines"));
  exports.Set("waitpid", Napi::Function::New(env, WaitPid, "waitpid"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("getDemoValue", Napi::Function::New(env, GetDemoValue, "getDemoValue"));
  exports.Set("setDemoValue", Napi::Function::New(env, SetDemoValue, "setDemoValue"));
}

}  // namespace ipc
