#include "errors.h"
#include "modules.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace ipc {

namespace {
// Per-process is fine: the addon is loaded by one main thread (vitest uses forks).
Napi::FunctionReference* errorClass = nullptr;
}  // namespace

void SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowTypeError(info.Env(), "setErrorClass: expected a constructor");
  }
  if (errorClass == nullptr) errorClass = new Napi::FunctionReference();
  *errorClass = Napi::Persistent(info[0].As<Napi::Function>());
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
  std::string unnamed = "E";  // (appending avoids a GCC 12 -Wrestrict false positive)
  unnamed += std::to_string(err);
  return unnamed;
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& path) {
  std::string code = ErrnoName(err);
  std::string message = std::string(syscall) + ": " + code + " (" + strerror(err) + ")";
  if (!path.empty()) message += " '" + path + "'";
  Napi::Object error;
  if (errorClass != nullptr && !errorClass->IsEmpty()) {
    error = errorClass->New({Napi::String::New(env, message)});
  } else {
    error = Napi::Error::New(env, message).Value();
  }
  error.Set("code", code);
  // Node's SystemError carries the negated errno (libuv's convention).
  error.Set("errno", -err);
  error.Set("syscall", syscall);
  if (!path.empty()) error.Set("path", path);
  return Napi::Error(env, error);
}

void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& path) {
  throw ErrnoError(env, err, syscall, path);
}

void ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", "ERR_INVALID_ARG_TYPE");
  throw error;
}

void ThrowRangeError(Napi::Env env, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Set("code", "ERR_OUT_OF_RANGE");
  throw error;
}

int ArgInt(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be an integer");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::trunc(value) != value || value < -2147483648.0 ||
      value > 2147483647.0) {
    ThrowRangeError(info.Env(), std::string(name) + " must be a 32-bit integer, got " +
                                    info[index].ToString().Utf8Value());
  }
  return static_cast<int>(value);
}

int ArgFd(const Napi::CallbackInfo& info, size_t index, const char* name) {
  int fd = ArgInt(info, index, name);
  if (fd < 0) {
    ThrowRangeError(info.Env(), std::string(name) + " must be a non-negative descriptor, got " +
                                    std::to_string(fd));
  }
  return fd;
}

std::string ArgString(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsString()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

}  // namespace ipc

namespace ipc {
namespace {

// errnoError(errno, syscall, path?): the same error object, for JS code that
// gets an errno from elsewhere (a poll status, a child's report).
Napi::Value ErrnoErrorJs(const Napi::CallbackInfo& info) {
  int err = ArgInt(info, 0, "errno");
  std::string syscall = ArgString(info, 1, "syscall");
  std::string path = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
  return ErrnoError(info.Env(), err, syscall.c_str(), path).Value();
}

Napi::Value SetErrorClassJs(const Napi::CallbackInfo& info) {
  SetErrorClass(info);
  return info.Env().Undefined();
}

}  // namespace

void InitErrors(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClassJs, "setErrorClass"));
  exports.Set("errnoError", Napi::Function::New(env, ErrnoErrorJs, "errnoError"));
}

}  // namespace ipc
