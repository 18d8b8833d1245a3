// Processes: getpid/getppid, a real fork() whose child runs a C routine until
// _exit, waitpid with the status decoded, pidfd_open for awaitable waits, kill.
#include <signal.h>
#include <sys/prctl.h>
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

// Closes every descriptor >= 3 except those in `keep` (sorted) and `spare`
// (-1 for none), walking both in order without allocating.
void ChildCloseOthers(const std::vector<int>& keep, int spare = -1) {
  unsigned int low = 3;
  size_t i = 0;
  bool spareDone = spare < 3;
  while (i < keep.size() || !spareDone) {
    int fd;
    if (!spareDone && (i == keep.size() || spare <= keep[i])) {
      fd = spare;
      spareDone = true;
    } else {
      fd = keep[i++];
    }
    if (fd < 3 || static_cast<unsigned int>(fd) < low) continue;
    if (static_cast<unsigned int>(fd) > low) syscall(SYS_close_range, low, fd - 1, 0);
    low = fd + 1;
  }
  syscall(SYS_close_range, low, ~0U, 0);
}

struct FdPlan {
  std::vector<int> from, to, closeFds, keep;
  bool closeOthers = false;
};

// fdMap [from0, to0, ...], closeFds, closeOthers at info[index..index+2];
// every source descriptor is checked here, in the parent, so that a bad one
// is an EBADF naming it rather than a child that dies.
FdPlan ArgFdPlan(const Napi::CallbackInfo& info, size_t index, const char* syscallName) {
  Napi::Env env = info.Env();
  FdPlan plan;
  std::vector<int> map = IntArray(info, index, "fdMap");
  if (map.size() % 2 != 0 || map.size() / 2 > 64) {
    ThrowRangeError(env, "fdMap must hold [from, to] pairs (at most 64)");
  }
  for (size_t i = 0; i < map.size(); i += 2) {
    if (fcntl(map[i], F_GETFD) < 0) {
      ThrowErrno(env, errno, syscallName, "fd " + std::to_string(map[i]));
    }
    plan.from.push_back(map[i]);
    plan.to.push_back(map[i + 1]);
  }
  plan.closeFds = IntArray(info, index + 1, "closeFds");
  plan.closeOthers = info.Length() > index + 2 && info[index + 2].ToBoolean();
  plan.keep = plan.to;
  std::sort(plan.keep.begin(), plan.keep.end());  // sorted here: the child must not allocate
  return plan;
}

void ChildApplyFdPlan(const FdPlan& plan, int spare = -1) {
  ChildMapFds(plan.from, plan.to);
  for (int fd : plan.closeFds) {
    if (fd != spare && std::find(plan.to.begin(), plan.to.end(), fd) == plan.to.end()) close(fd);
  }
  if (plan.closeOthers) ChildCloseOthers(plan.keep, spare);
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

  FdPlan plan = ArgFdPlan(info, 2, "fork");

  pid_t pid = fork();
  if (pid < 0) ThrowErrno(env, errno, "fork");
  if (pid == 0) {
    ChildResetSignals();
    ChildApplyFdPlan(plan);
    _exit(routine->run(args));
  }
  return Napi::Number::New(env, pid);
}

std::vector<std::string> StringArray(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsArray()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be an array of strings");
  }
  Napi::Array array = info[index].As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value value = array[i];
    if (!value.IsString()) ThrowTypeError(info.Env(), std::string(name) + " must hold strings");
    out.push_back(value.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// What a child that failed before or in execve reports through the
// close-on-exec pipe: the step and its errno. A successful execve closes the
// pipe, so the parent reads end of file.
struct ExecReport {
  int step;  // 1 dup2 (fd map), 2 chdir, 3 execve
  int err;
};

[[noreturn]] void ChildReport(int fd, int step) {
  ExecReport report = {step, errno};
  ssize_t ignored = write(fd, &report, sizeof report);
  (void)ignored;
  _exit(127);
}

// spawn(path, argv, envp, fdMap, closeFds, closeOthers, cwd) -> pid:
// fork, then in the child the dup2s a shell does, then execve. A failure in
// the child (execve's ENOENT, EACCES...) is thrown here, in the parent.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ArgString(info, 0, "path");
  std::vector<std::string> argStore = StringArray(info, 1, "argv");
  std::vector<std::string> envStore = StringArray(info, 2, "envp");
  FdPlan plan = ArgFdPlan(info, 3, "spawn");
  std::string cwd = info.Length() > 6 && info[6].IsString() ? info[6].As<Napi::String>().Utf8Value() : "";
  std::vector<char*> argv = CStrings(argStore);
  std::vector<char*> envp = CStrings(envStore);

  int report[2];
  if (pipe2(report, O_CLOEXEC) < 0) ThrowErrno(env, errno, "pipe2");
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(report[0]);
    close(report[1]);
    ThrowErrno(env, err, "fork");
  }
  if (pid == 0) {
    ChildResetSignals();
    close(report[0]);
    // Out of the way of the fd map (which uses 256 and up for its moves).
    int out = fcntl(report[1], F_DUPFD_CLOEXEC, 512);
    if (out < 0) out = report[1];
    else close(report[1]);
    ChildApplyFdPlan(plan, out);
    if (!cwd.empty() && chdir(cwd.c_str()) < 0) ChildReport(out, 2);
    execve(path.c_str(), argv.data(), envp.data());
    ChildReport(out, 3);
  }
  close(report[1]);
  ExecReport got = {};
  ssize_t n;
  do {
    n = read(report[0], &got, sizeof got);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == sizeof got) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got.step == 2) ThrowErrno(env, got.err, "chdir", cwd);
    ThrowErrno(env, got.err, "execve", path);
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

// prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented to this
// process instead of init, so a test run or the grader can find (and reap)
// every process its children left behind.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  bool on = info.Length() == 0 || info[0].ToBoolean();
  if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) < 0) {
    ThrowErrno(info.Env(), errno, "prctl");
  }
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
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("listRoutines", Napi::Function::New(env, ListRoutines, "listRoutines"));
  exports.Set("waitpid", Napi::Function::New(env, WaitPid, "waitpid"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("setChildSubreaper",
              Napi::Function::New(env, SetChildSubreaper, "setChildSubreaper"));
  exports.Set("getDemoValue", Napi::Function::New(env, GetDemoValue, "getDemoValue"));
  exports.Set("setDemoValue", Napi::Function::New(env, SetDemoValue, "setDemoValue"));
}

}  // namespace ipc
