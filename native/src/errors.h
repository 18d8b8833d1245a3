// One way to report a failed system call: a JS error shaped like Node's
// SystemError (code, errno, syscall, and the object it was about in a property
// of its own: fd, pid, key, shmid or path) built from the errno saved right
// after the call. lib/errors.ts builds its errors through this too.
#pragma once
#include <napi.h>

#include <string>

#include "retry.h"

namespace ipc {

// What a failed call was about. `prop` is the error's property ("fd",
// "path"...), empty for nothing; a path is text, everything else a number.
struct Subject {
  std::string prop;
  double number = 0;
  std::string text;
};
inline Subject Path(const std::string& path) { return {"path", 0, path}; }
inline Subject Fd(int fd) { return {"fd", static_cast<double>(fd), ""}; }
inline Subject Pid(int pid) { return {"pid", static_cast<double>(pid), ""}; }
inline Subject Key(int key) { return {"key", static_cast<double>(key), ""}; }
inline Subject Shmid(int id) { return {"shmid", static_cast<double>(id), ""}; }
inline Subject Semid(int id) { return {"semid", static_cast<double>(id), ""}; }
inline Subject Msqid(int id) { return {"msqid", static_cast<double>(id), ""}; }
// A host name that did not resolve (getaddrinfo), shown quoted like a path.
inline Subject Hostname(const std::string& host) { return {"hostname", 0, host}; }

// Installs the JS class used for system errors (lib/system-error.ts hands it
// over, as better-sqlite3 does); until then a plain Error is used.
void SetErrorClass(const Napi::CallbackInfo& info);

// "ENOENT" for 2; "E123" for numbers the C library cannot name.
std::string ErrnoName(int err);

// `syscall: CODE (reason) subject: detail`, with code, errno (negated, as
// Node's), syscall and the subject's property set. The reason is strerror's
// unless one is given (a time-out is not "Connection timed out").
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const Subject& subject = {},
                       const std::string& detail = "", const std::string& reason = "");

// The same shape for a failure that is not an errno (getaddrinfo's EAI_*
// codes): `code` and `errno` as given, the reason in words.
Napi::Error CodedError(Napi::Env env, const std::string& code, int errnoValue, const char* syscall,
                       const Subject& subject, const std::string& detail,
                       const std::string& reason);

// Throws ErrnoError as a C++ exception (node-addon-api turns it into a JS throw).
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall,
                             const Subject& subject = {}, const std::string& detail = "");

// Argument errors, as Node's: a wrong type is a TypeError with code
// ERR_INVALID_ARG_TYPE, a number out of range (1.5 for an integer, -1 for a
// size) a RangeError with ERR_OUT_OF_RANGE, any other bad value a TypeError
// with ERR_INVALID_ARG_VALUE.
[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowInvalidValue(Napi::Env env, const std::string& message);

}  // namespace ipc
