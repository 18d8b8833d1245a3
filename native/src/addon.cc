// The export table only: each mechanism lives in its own file.
#include <napi.h>

#include "modules.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ipc::InitErrors(env, exports);
  ipc::InitPoll(env, exports);
  ipc::InitProcess(env, exports);
  ipc::InitFd(env, exports);
  ipc::InitPipe(env, exports);
  ipc::InitShm(env, exports);
  ipc::InitSysvShm(env, exports);
  ipc::InitTrace(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(ipc_lab, Init)
