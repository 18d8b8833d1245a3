// The export table only: general modules first, then one line per mechanism.
#include <napi.h>

#include "modules.h"

namespace ipc {

void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn,
            int arity) {
  exports.Set(name, Napi::Function::New(env, fn, name));
  if (!exports.Has("arity")) exports.Set("arity", Napi::Object::New(env));
  exports.Get("arity").As<Napi::Object>().Set(name, arity);
}

}  // namespace ipc

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // General: errors, constants, descriptors, waiting, memory mapping, processes.
  ipc::InitErrors(env, exports);
  ipc::InitConstants(env, exports);
  ipc::InitFd(env, exports);
  ipc::InitPoll(env, exports);
  ipc::InitBlocking(env, exports);
  ipc::InitMemory(env, exports);
  ipc::InitProcess(env, exports);
  // Mechanisms, in chapter order.
  ipc::InitPipe(env, exports);
  ipc::InitFifo(env, exports);
  ipc::InitShm(env, exports);
  ipc::InitSysvShm(env, exports);
  ipc::InitSem(env, exports);
  ipc::InitMqueue(env, exports);
  ipc::InitMappedFile(env, exports);
  ipc::InitSysvSem(env, exports);
  ipc::InitSignal(env, exports);
  ipc::InitSocket(env, exports);
  // The instruments of every chapter.
  ipc::InitTrace(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(ipc_lab, Init)
