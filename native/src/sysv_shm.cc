// System V shared memory: an integer key (ftok) names a segment; shmget
// creates or finds it, shmat maps it (the same no-copy mapping as mmap, see
// mapping.h), shmdt unmaps, shmctl reads its state or marks it for removal.
#include <sys/ipc.h>
#include <sys/shm.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "mapping.h"
#include "modules.h"

namespace ipc {
namespace {

Napi::Value Ftok(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int projId = ArgInt(info, 1, "projId");
  key_t key = ftok(path.c_str(), projId);
  if (key == -1) ThrowErrno(info.Env(), errno, "ftok", Path(path));
  return Napi::Number::New(info.Env(), key);
}

// shmget(key, size, flags) -> shmid
Napi::Value Shmget(const Napi::CallbackInfo& info) {
  int key = ArgInt(info, 0, "key");
  size_t size = ArgSize(info, 1, "size");
  int flags = ArgInt(info, 2, "flags");
  int id = shmget(static_cast<key_t>(key), size, flags);
  if (id < 0) ThrowErrno(info.Env(), errno, "shmget", Key(key));
  return Napi::Number::New(info.Env(), id);
}

bool Stat(int id, struct shmid_ds* ds) { return shmctl(id, IPC_STAT, ds) == 0; }

// shmat(shmid, flags) -> { buffer, handle, address }; the segment's size
// comes from IPC_STAT, since shmat itself does not say how much it mapped.
Napi::Value Shmat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "shmid");
  int flags = ArgInt(info, 1, "flags");
  struct shmid_ds ds;
  // Reported as shmat's failure: to the caller the size lookup is part of it.
  if (!Stat(id, &ds)) ThrowErrno(env, errno, "shmat", Shmid(id));
  void* addr = shmat(id, nullptr, flags);
  if (addr == reinterpret_cast<void*>(-1)) ThrowErrno(env, errno, "shmat", Shmid(id));
  return NewMapping(env, addr, ds.shm_segsz, MapKind::kShmat);
}

Napi::Value Shmdt(const Napi::CallbackInfo& info) {
  Unmap(info, 0, MapKind::kShmat, "shmdt");
  return info.Env().Undefined();
}

// shmctlStat(shmid) -> the shmid_ds fields, times in seconds since the epoch.
Napi::Value ShmctlStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "shmid");
  struct shmid_ds ds;
  if (!Stat(id, &ds)) ThrowErrno(env, errno, "shmctl", Shmid(id));
  Napi::Object out = Napi::Object::New(env);
  out.Set("key", static_cast<double>(ds.shm_perm.__key));
  out.Set("size", static_cast<double>(ds.shm_segsz));
  out.Set("nattch", static_cast<double>(ds.shm_nattch));
  out.Set("mode", static_cast<double>(ds.shm_perm.mode));
  out.Set("uid", static_cast<double>(ds.shm_perm.uid));
  out.Set("gid", static_cast<double>(ds.shm_perm.gid));
  out.Set("cuid", static_cast<double>(ds.shm_perm.cuid));
  out.Set("cgid", static_cast<double>(ds.shm_perm.cgid));
  out.Set("cpid", static_cast<double>(ds.shm_cpid));
  out.Set("lpid", static_cast<double>(ds.shm_lpid));
  out.Set("atime", static_cast<double>(ds.shm_atime));
  out.Set("dtime", static_cast<double>(ds.shm_dtime));
  out.Set("ctime", static_cast<double>(ds.shm_ctime));
  return out;
}

Napi::Value ShmctlRemove(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "shmid");
  if (shmctl(id, IPC_RMID, nullptr) < 0) ThrowErrno(info.Env(), errno, "shmctl", Shmid(id));
  return info.Env().Undefined();
}

}  // namespace

void InitSysvShm(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "ftok", Ftok, 2);
  Export(env, exports, "shmget", Shmget, 3);
  Export(env, exports, "shmat", Shmat, 2);
  Export(env, exports, "shmdt", Shmdt, 2);
  Export(env, exports, "shmctlStat", ShmctlStat, 1);
  Export(env, exports, "shmctlRemove", ShmctlRemove, 1);
}

}  // namespace ipc
