// Processes: getpid/getppid, a real fork() whose child runs a C routine until
// _exit, spawn (fork + execve), waitpid with the status decoded, pidfd_open
// for awaitable waits, kill. A child that fails before its routine or program
// runs reports the failing step and errno to the parent through a
// close-on-exec pipe, and the parent throws it as the SystemError it was.
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "args.h"
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

// Everything below runs in the child and must stay async-signal-safe.
// What a child that failed before its routine or program reports through
// the report pipe: the step and its errno. Success closes the pipe (execve's
// close-on-exec, or an explicit close before the routine): end of file.
enum class Step : int { kMoveFd = 1, kDup2, kChdir, kExecve };

struct Report {
  Step step;
  int err;
  int fd;  // the descriptor a kMoveFd/kDup2 step was about
};

[[noreturn]] void ChildReport(int reportFd, Step step, int fd = -1) {
  Report report = {step, errno, fd};
  ssize_t ignored = write(reportFd, &report, sizeof report);
  (void)ignored;
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

void ChildMapFds(const std::vector<int>& from, const std::vector<int>& to, int reportFd) {
  // Move every source out of the way first so that overlapping maps
  // (e.g. 3->0 and 0->3) do not clobber each other.
  int temp[64];
  for (size_t i = 0; i < from.size(); ++i) {
    temp[i] = fcntl(from[i], F_DUPFD, 256);
    if (temp[i] < 0) ChildReport(reportFd, Step::kMoveFd, from[i]);
  }
  for (size_t i = 0; i < from.size(); ++i) {
    if (dup2(temp[i], to[i]) < 0) ChildReport(reportFd, Step::kDup2, to[i]);
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
  std::vector<int> map = ArgIntArray(info, index, "fdMap", 0);
  if (map.size() % 2 != 0 || map.size() / 2 > 64) {
    ThrowRangeError(env, "fdMap must hold [from, to] pairs (at most 64)");
  }
  for (size_t i = 0; i < map.size(); i += 2) {
    if (fcntl(map[i], F_GETFD) < 0) {
      ThrowErrno(env, errno, syscallName, Fd(map[i]), "a descriptor to give the child");
    }
    plan.from.push_back(map[i]);
    plan.to.push_back(map[i + 1]);
  }
  plan.closeFds = ArgIntArray(info, index + 1, "closeFds", 0);
  plan.closeOthers = ArgBool(info, index + 2, "closeOthers");
  plan.keep = plan.to;
  std::sort(plan.keep.begin(), plan.keep.end());  // sorted here: the child must not allocate
  return plan;
}

void ChildApplyFdPlan(const FdPlan& plan, int reportFd) {
  ChildMapFds(plan.from, plan.to, reportFd);
  for (int fd : plan.closeFds) {
    if (fd != reportFd && std::find(plan.to.begin(), plan.to.end(), fd) == plan.to.end()) {
      close(fd);
    }
  }
  if (plan.closeOthers) ChildCloseOthers(plan.keep, reportFd);
}

// fork(), then in the child: default signal dispositions, the descriptor
// plan, then `body` (which must not return). In the parent: waits for the
// report pipe to close and throws what a failed child reported, naming
// `syscall` for the descriptor steps.
template <class Body>
pid_t StartChild(Napi::Env env, const FdPlan& plan, const char* syscall,
                 const std::string& program, const std::string& cwd, Body body) {
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
    body(out);
  }
  close(report[1]);
  Report got = {};
  ssize_t n = RetryEintr([&] { return read(report[0], &got, sizeof got); });
  close(report[0]);
  if (n == sizeof got) {
    int status;
    RetryEintr([&] { return waitpid(pid, &status, 0); });
    errno = got.err;
    switch (got.step) {
      case Step::kMoveFd:
        ThrowErrno(env, got.err, syscall, Fd(got.fd), "the child could not move it (fcntl F_DUPFD)");
      case Step::kDup2:
        ThrowErrno(env, got.err, syscall, Fd(got.fd), "the child could not dup2 onto it");
      case Step::kChdir:
        ThrowErrno(env, got.err, "chdir", Path(cwd));
      case Step::kExecve:
        ThrowErrno(env, got.err, "execve", Path(program));
    }
  }
  return pid;
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
    const RoutineTable* const* tables = RoutineTables(&count);
    for (size_t t = 0; t < count; ++t) {
      for (size_t i = 0; i < tables[t]->count; ++i) {
        known += (known.empty() ? "" : ", ") + std::string(tables[t]->entries[i].name);
      }
    }
    ThrowInvalidValue(env, "fork: unknown child routine '" + name + "' (known: " + known + ")");
  }
  std::vector<std::string> argStore = ArgStringArray(info, 1, "args");
  if (argStore.size() > kMaxRoutineArgs) {
    ThrowRangeError(env, "args: at most " + std::to_string(kMaxRoutineArgs) + " arguments");
  }
  RoutineArgs args;
  args.count = argStore.size();
  for (size_t i = 0; i < argStore.size(); ++i) args.values[i] = argStore[i].c_str();

  FdPlan plan = ArgFdPlan(info, 2, "fork");
  pid_t pid = StartChild(env, plan, "fork", "", "", [&](int reportFd) {
    close(reportFd);  // the routine runs: nothing failed
    _exit(routine->run(args));
  });
  return Napi::Number::New(env, pid);
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// spawn(path, argv, envp, fdMap, closeFds, closeOthers, cwd) -> pid:
// fork, then in the child the dup2s a shell does, then execve. A failure in
// the child (execve's ENOENT, EACCES...) is thrown here, in the parent.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ArgString(info, 0, "path");
  std::vector<std::string> argStore = ArgStringArray(info, 1, "argv");
  std::vector<std::string> envStore = ArgStringArray(info, 2, "envp");
  FdPlan plan = ArgFdPlan(info, 3, "spawn");
  std::string cwd = ArgOptionalString(info, 6, "cwd");
  std::vector<char*> argv = CStrings(argStore);
  std::vector<char*> envp = CStrings(envStore);
  pid_t pid = StartChild(env, plan, "spawn", path, cwd, [&](int reportFd) {
    if (!cwd.empty() && chdir(cwd.c_str()) < 0) ChildReport(reportFd, Step::kChdir);
    execve(path.c_str(), argv.data(), envp.data());
    ChildReport(reportFd, Step::kExecve);
  });
  return Napi::Number::New(env, pid);
}

Napi::Value ListRoutines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t count;
  const RoutineTable* const* tables = RoutineTables(&count);
  Napi::Array out = Napi::Array::New(env);
  for (size_t t = 0; t < count; ++t) {
    for (size_t i = 0; i < tables[t]->count; ++i) {
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("name", tables[t]->entries[i].name);
      entry.Set("summary", tables[t]->entries[i].summary);
      entry.Set("chapter", tables[t]->chapter);
      out.Set(out.Length(), entry);
    }
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

// waitpid(pid, options) with options WNOHANG | WUNTRACED | WCONTINUED as C
// takes them; null when WNOHANG and nothing changed. Without WNOHANG it blocks.
Napi::Value WaitPid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = ArgInt(info, 0, "pid");
  int options = ArgInt(info, 1, "options");
  int status = 0;
  pid_t got = RetryEintr([&] { return waitpid(pid, &status, options); });
  if (got < 0) ThrowErrno(env, errno, "waitpid", Pid(pid));
  if (got == 0) return env.Null();
  return DecodeStatus(env, got, status);
}

// pidfd_open(pid): a descriptor that becomes readable when the child exits.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  int pid = ArgInt(info, 0, "pid");
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) ThrowErrno(info.Env(), errno, "pidfd_open", Pid(pid));
  return Napi::Number::New(info.Env(), static_cast<double>(fd));
}

Napi::Value Kill(const Napi::CallbackInfo& info) {
  int pid = ArgInt(info, 0, "pid");
  int sig = ArgInt(info, 1, "signal");
  if (kill(pid, sig) < 0) ThrowErrno(info.Env(), errno, "kill", Pid(pid));
  return info.Env().Undefined();
}

// prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented to this
// process instead of init, so a test run or the grader can find (and reap)
// every process its children left behind.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  bool on = ArgBool(info, 0, "on");
  if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) < 0) {
    ThrowErrno(info.Env(), errno, "prctl");
  }
  return info.Env().Undefined();
}

// sched_yield(): gives the CPU to another runnable process, for a loop that
// spins on shared memory (a spinning waiter would otherwise hold the CPU its
// partner needs for the rest of its time slice). Never fails on Linux.
Napi::Value SchedYield(const Napi::CallbackInfo& info) {
  sched_yield();
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
  Export(env, exports, "getpid", GetPid, 0);
  Export(env, exports, "getppid", GetPpid, 0);
  Export(env, exports, "fork", Fork, 5);
  Export(env, exports, "spawn", Spawn, 7);
  Export(env, exports, "listRoutines", ListRoutines, 0);
  Export(env, exports, "waitpid", WaitPid, 2);
  Export(env, exports, "pidfdOpen", PidfdOpen, 1);
  Export(env, exports, "kill", Kill, 2);
  Export(env, exports, "setChildSubreaper", SetChildSubreaper, 1);
  Export(env, exports, "schedYield", SchedYield, 0);
  Export(env, exports, "getDemoValue", GetDemoValue, 0);
  Export(env, exports, "setDemoValue", SetDemoValue, 1);
}

}  // namespace ipc
