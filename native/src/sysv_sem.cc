// System V semaphores: a key names a set of counters; semget makes or finds
// the set, semop applies several operations to it at once (all or none:
// decrements wait while they would go below 0, a 0 waits for zero), semctl
// reads and sets values and removes the set. A semop that waits runs as a
// blocking wait (blocking.h), as semtimedop when it has a time-out: the
// kernel decides the time-out, so a wait never takes a unit after it failed.
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include <cerrno>
#include <string>
#include <vector>

#include "args.h"
#include "blocking.h"
#include "modules.h"

namespace ipc {
namespace {

// The caller defines it (semctl(2)).
union semun {
  int val;
  struct semid_ds* buf;
  unsigned short* array;
};

// semget(key, nsems, flags) -> semid
Napi::Value Semget(const Napi::CallbackInfo& info) {
  int key = ArgInt(info, 0, "key");
  int nsems = ArgInt(info, 1, "nsems");
  int flags = ArgInt(info, 2, "flags");
  int id = semget(static_cast<key_t>(key), nsems, flags);
  if (id < 0) ThrowErrno(info.Env(), errno, "semget", Key(key));
  return Napi::Number::New(info.Env(), id);
}

// ops as [num, op, flags, num, op, flags, ...]
std::vector<struct sembuf> ArgOps(const Napi::CallbackInfo& info, size_t index) {
  std::vector<int> flat = ArgIntArray(info, index, "ops", -32768);
  if (flat.empty() || flat.size() % 3 != 0) {
    ThrowInvalidValue(info.Env(), "ops must be [num, op, flags] triples, at least one");
  }
  std::vector<struct sembuf> ops;
  for (size_t i = 0; i < flat.size(); i += 3) {
    struct sembuf op = {};
    op.sem_num = static_cast<unsigned short>(flat[i]);
    op.sem_op = static_cast<short>(flat[i + 1]);
    op.sem_flg = static_cast<short>(flat[i + 2]);
    ops.push_back(op);
  }
  return ops;
}

// semopNow(semid, ops): semop that must not wait (the caller set IPC_NOWAIT
// in every op, or the ops only add); throws EAGAIN and the rest.
Napi::Value SemopNow(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "semid");
  std::vector<struct sembuf> ops = ArgOps(info, 1);
  if (RetryEintr([&] { return semop(id, ops.data(), ops.size()); }) < 0) {
    ThrowErrno(info.Env(), errno, "semop", Semid(id));
  }
  return info.Env().Undefined();
}

class SemopCall : public BlockingCall {
 public:
  SemopCall(int id, std::vector<struct sembuf> ops, int ms) : id_(id), ops_(std::move(ops)), ms_(ms) {
    clock_gettime(CLOCK_MONOTONIC, &deadline_);
    deadline_.tv_sec += ms / 1000;
    deadline_.tv_nsec += static_cast<long>(ms % 1000) * 1000000L;
    if (deadline_.tv_nsec >= 1000000000L) {
      deadline_.tv_sec += 1;
      deadline_.tv_nsec -= 1000000000L;
    }
  }
  int Run() override {
    if (ms_ < 0) return semop(id_, ops_.data(), ops_.size()) == 0 ? 0 : errno;
    // semtimedop's time-out is relative: what is left of the deadline.
    struct timespec now, left;
    clock_gettime(CLOCK_MONOTONIC, &now);
    left.tv_sec = deadline_.tv_sec - now.tv_sec;
    left.tv_nsec = deadline_.tv_nsec - now.tv_nsec;
    if (left.tv_nsec < 0) {
      left.tv_sec -= 1;
      left.tv_nsec += 1000000000L;
    }
    if (left.tv_sec < 0) left = {0, 0};
    return semtimedop(id_, ops_.data(), ops_.size(), &left) == 0 ? 0 : errno;
  }
  const char* Syscall() const override { return ms_ < 0 ? "semop" : "semtimedop"; }
  Subject About() const override { return Semid(id_); }

 private:
  int id_;
  std::vector<struct sembuf> ops_;
  int ms_;
  struct timespec deadline_;
};

// semop(semid, ops, ms, callback) -> wait id; ms < 0: no time-out (semop),
// else semtimedop, which fails with EAGAIN when the time is up.
Napi::Value Semop(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "semid");
  std::vector<struct sembuf> ops = ArgOps(info, 1);
  int ms = ArgInt(info, 2, "ms");
  Napi::Function callback = ArgFunction(info, 3, "callback");
  return StartBlocking(info.Env(), std::make_unique<SemopCall>(id, std::move(ops), ms), callback);
}

// semctlGet(semid, semnum, cmd) for GETVAL, GETPID, GETNCNT, GETZCNT -> number
Napi::Value SemctlGet(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "semid");
  int num = ArgInt(info, 1, "semnum");
  int cmd = ArgInt(info, 2, "cmd");
  int value = semctl(id, num, cmd);
  if (value < 0) ThrowErrno(info.Env(), errno, "semctl", Semid(id));
  return Napi::Number::New(info.Env(), value);
}

// semctlSetval(semid, semnum, value): SETVAL
Napi::Value SemctlSetval(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "semid");
  int num = ArgInt(info, 1, "semnum");
  union semun arg;
  arg.val = ArgInt(info, 2, "value");
  if (semctl(id, num, SETVAL, arg) < 0) ThrowErrno(info.Env(), errno, "semctl", Semid(id));
  return info.Env().Undefined();
}

struct semid_ds StatSet(const Napi::CallbackInfo& info, int id) {
  struct semid_ds ds = {};
  union semun arg;
  arg.buf = &ds;
  if (semctl(id, 0, IPC_STAT, arg) < 0) ThrowErrno(info.Env(), errno, "semctl", Semid(id));
  return ds;
}

// semctlGetall(semid) -> number[]: GETALL
Napi::Value SemctlGetall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "semid");
  struct semid_ds ds = StatSet(info, id);
  std::vector<unsigned short> values(ds.sem_nsems);
  union semun arg;
  arg.array = values.data();
  if (semctl(id, 0, GETALL, arg) < 0) ThrowErrno(env, errno, "semctl", Semid(id));
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), values[i]);
  return out;
}

// semctlSetall(semid, values): SETALL (one value per semaphore of the set)
Napi::Value SemctlSetall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "semid");
  std::vector<int> given = ArgIntArray(info, 1, "values", 0);
  struct semid_ds ds = StatSet(info, id);
  if (given.size() != ds.sem_nsems) {
    ThrowInvalidValue(env, "values must have one value per semaphore: the set has " +
                               std::to_string(ds.sem_nsems) + ", got " + std::to_string(given.size()));
  }
  std::vector<unsigned short> values;
  for (int v : given) {
    if (v > 65535) ThrowRangeError(env, "values must fit in an unsigned short, got " + std::to_string(v));
    values.push_back(static_cast<unsigned short>(v));
  }
  union semun arg;
  arg.array = values.data();
  if (semctl(id, 0, SETALL, arg) < 0) ThrowErrno(env, errno, "semctl", Semid(id));
  return env.Undefined();
}

// semctlStat(semid) -> struct semid_ds, flattened; times in seconds.
Napi::Value SemctlStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "semid");
  struct semid_ds ds = StatSet(info, id);
  Napi::Object out = Napi::Object::New(env);
  out.Set("key", static_cast<double>(ds.sem_perm.__key));
  out.Set("mode", static_cast<double>(ds.sem_perm.mode));
  out.Set("uid", static_cast<double>(ds.sem_perm.uid));
  out.Set("gid", static_cast<double>(ds.sem_perm.gid));
  out.Set("cuid", static_cast<double>(ds.sem_perm.cuid));
  out.Set("cgid", static_cast<double>(ds.sem_perm.cgid));
  out.Set("nsems", static_cast<double>(ds.sem_nsems));
  out.Set("otime", static_cast<double>(ds.sem_otime));
  out.Set("ctime", static_cast<double>(ds.sem_ctime));
  return out;
}

// semctlRemove(semid): IPC_RMID, at once: every waiter fails with EIDRM.
Napi::Value SemctlRemove(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "semid");
  if (semctl(id, 0, IPC_RMID) < 0) ThrowErrno(info.Env(), errno, "semctl", Semid(id));
  return info.Env().Undefined();
}

}  // namespace

void InitSysvSem(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "semget", Semget, 3);
  Export(env, exports, "semopNow", SemopNow, 2);
  Export(env, exports, "semop", Semop, 4);
  Export(env, exports, "semctlGet", SemctlGet, 3);
  Export(env, exports, "semctlSetval", SemctlSetval, 3);
  Export(env, exports, "semctlGetall", SemctlGetall, 1);
  Export(env, exports, "semctlSetall", SemctlSetall, 2);
  Export(env, exports, "semctlStat", SemctlStat, 1);
  Export(env, exports, "semctlRemove", SemctlRemove, 1);
}

}  // namespace ipc
