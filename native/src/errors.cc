#include "errors.h"

#include <cstdio>
#include <cstring>

#include "args.h"
#include "modules.h"

namespace ipc {

namespace {
// Per-process is fine: the addon is loaded by one main thread (vitest uses forks).
Napi::FunctionReference* errorClass = nullptr;

// How a message shows the subject: '/OS' for a path, key 0x41000029, fd 5.
std::string Show(const Subject& subject) {
  if (subject.prop == "path" || subject.prop == "hostname") return "'" + subject.text + "'";
  if (subject.prop == "key") {
    char text[32];
    std::snprintf(text, sizeof text, "key 0x%08x",
                  static_cast<unsigned>(static_cast<int>(subject.number)));
    return text;
  }
  return subject.prop + " " + std::to_string(static_cast<long long>(subject.number));
}

Napi::Error Coded(Napi::Error error, const char* code) {
  error.Set("code", code);
  return error;
}
}  // namespace

void SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Function cls = ArgFunction(info, 0, "errorClass");
  if (errorClass == nullptr) errorClass = new Napi::FunctionReference();
  *errorClass = Napi::Persistent(cls);
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
  std::string unnamed = "E";  // (appending avoids a GCC 12 -Wrestrict false positive)
  unnamed += std::to_string(err);
  return unnamed;
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const Subject& subject,
                       const std::string& detail, const std::string& reason) {
  // Node's SystemError carries the negated errno (libuv's convention).
  return CodedError(env, ErrnoName(err), -err, syscall, subject, detail,
                    reason.empty() ? strerror(err) : reason);
}

Napi::Error CodedError(Napi::Env env, const std::string& code, int errnoValue, const char* syscall,
                       const Subject& subject, const std::string& detail,
                       const std::string& reason) {
  // Appends only: GCC 12 warns (-Wrestrict, wrongly) about chains of `+`.
  std::string message = syscall;
  message += ": ";
  message += code;
  message += " (";
  message += reason;
  message += ")";
  if (!subject.prop.empty()) {
    message += " ";
    message += Show(subject);
  }
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  Napi::Object error;
  if (errorClass != nullptr && !errorClass->IsEmpty()) {
    error = errorClass->New({Napi::String::New(env, message)});
  } else {
    error = Napi::Error::New(env, message).Value();
  }
  error.Set("code", code);
  error.Set("errno", errnoValue);
  error.Set("syscall", syscall);
  if (subject.prop == "path" || subject.prop == "hostname") {
    error.Set(subject.prop, subject.text);
  } else if (!subject.prop.empty()) {
    error.Set(subject.prop, subject.number);
  }
  return Napi::Error(env, error);
}

void ThrowErrno(Napi::Env env, int err, const char* syscall, const Subject& subject,
                const std::string& detail) {
  throw ErrnoError(env, err, syscall, subject, detail);
}

void ThrowTypeError(Napi::Env env, const std::string& message) {
  throw Coded(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

void ThrowRangeError(Napi::Env env, const std::string& message) {
  throw Coded(Napi::RangeError::New(env, message), "ERR_OUT_OF_RANGE");
}

void ThrowInvalidValue(Napi::Env env, const std::string& message) {
  throw Coded(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_VALUE");
}

namespace {

// errnoError(errno, syscall, subject?, detail?, reason?): the same error, for
// JS code that learns an errno elsewhere (a poll status, a child's report, a
// check of its own). subject: { fd } | { pid } | { key } | { shmid } | { msqid } | { path }.
Napi::Value ErrnoErrorJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int err = ArgInt(info, 0, "errno");
  std::string syscall = ArgString(info, 1, "syscall");
  Subject subject;
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    if (!info[2].IsObject()) ThrowTypeError(env, "subject must be an object like { fd: 3 }");
    Napi::Object object = info[2].As<Napi::Object>();
    for (const char* prop : {"fd", "pid", "key", "shmid", "semid", "msqid"}) {
      if (object.Has(prop)) {
        Napi::Value value = object.Get(prop);
        if (!value.IsNumber()) ThrowTypeError(env, std::string("subject.") + prop + " must be a number");
        subject = {prop, value.As<Napi::Number>().DoubleValue(), ""};
      }
    }
    if (object.Has("path")) {
      Napi::Value value = object.Get("path");
      if (!value.IsString()) ThrowTypeError(env, "subject.path must be a string");
      subject = Path(value.As<Napi::String>().Utf8Value());
    }
  }
  std::string detail = ArgOptionalString(info, 3, "detail");
  std::string reason = ArgOptionalString(info, 4, "reason");
  return ErrnoError(env, err, syscall.c_str(), subject, detail, reason).Value();
}

Napi::Value SetErrorClassJs(const Napi::CallbackInfo& info) {
  SetErrorClass(info);
  return info.Env().Undefined();
}

}  // namespace

void InitErrors(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "setErrorClass", SetErrorClassJs, 1);
  Export(env, exports, "errnoError", ErrnoErrorJs, 5);
}

}  // namespace ipc
