// Each mechanism's file adds its functions to the addon's exports.
#pragma once
#include <napi.h>

namespace ipc {
void InitErrors(Napi::Env env, Napi::Object exports);
void InitPoll(Napi::Env env, Napi::Object exports);
void InitProcess(Napi::Env env, Napi::Object exports);
void InitFd(Napi::Env env, Napi::Object exports);
void InitPipe(Napi::Env env, Napi::Object exports);
void InitShm(Napi::Env env, Napi::Object exports);
void InitSysvShm(Napi::Env env, Napi::Object exports);
void InitTrace(Napi::Env env, Napi::Object exports);
}  // namespace ipc
