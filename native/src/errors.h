// One way to report a failed system call: a JS error shaped like Node's
// SystemError (code, errno, syscall, path) built from the errno saved right
// after the call.
#pragma once
#include <napi.h>

#include <string>

namespace ipc {

// Installs the JS class used for system errors (lib/errors.ts hands it over,
// as better-sqlite3 does); until then a plain Error is used.
void SetErrorClass(const Napi::CallbackInfo& info);

// "ENOENT" for 2; "E123" for numbers the C library cannot name.
std::string ErrnoName(int err);

// Builds `syscall: CODE (strerror) 'path'` with code/errno/syscall/path set.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& path = "");

// Throws ErrnoError as a C++ exception (node-addon-api turns it into a JS throw).
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall,
                             const std::string& path = "");

// Argument checks at the boundary: TypeError/RangeError with code
// ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE, naming the argument.
[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& message);
int ArgInt(const Napi::CallbackInfo& info, size_t index, const char* name);
int ArgFd(const Napi::CallbackInfo& info, size_t index, const char* name);
std::string ArgString(const Napi::CallbackInfo& info, size_t index, const char* name);

}  // namespace ipc
