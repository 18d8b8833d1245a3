// The addon's registration: each mechanism's file has an Init that adds its
// functions with Export, which also records each function's arity in
// `exports.arity` (test/native.test.ts checks it against lib/native.ts).
#pragma once
#include <napi.h>

namespace ipc {

void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn,
            int arity);

void InitErrors(Napi::Env env, Napi::Object exports);
void InitConstants(Napi::Env env, Napi::Object exports);
void InitFd(Napi::Env env, Napi::Object exports);
void InitPoll(Napi::Env env, Napi::Object exports);
void InitBlocking(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports);
void InitProcess(Napi::Env env, Napi::Object exports);
void InitPipe(Napi::Env env, Napi::Object exports);
void InitFifo(Napi::Env env, Napi::Object exports);
void InitShm(Napi::Env env, Napi::Object exports);
void InitSysvShm(Napi::Env env, Napi::Object exports);
void InitSem(Napi::Env env, Napi::Object exports);
void InitSysvSem(Napi::Env env, Napi::Object exports);
void InitTrace(Napi::Env env, Napi::Object exports);
void InitMappedFile(Napi::Env env, Napi::Object exports);
void InitSignal(Napi::Env env, Napi::Object exports);
void InitMqueue(Napi::Env env, Napi::Object exports);
void InitSocket(Napi::Env env, Napi::Object exports);

}  // namespace ipc
