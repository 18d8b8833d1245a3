#include "args.h"

#include <cmath>

namespace ipc {
namespace {

double Integer(const Napi::CallbackInfo& info, size_t index, const char* name, double min,
               double max) {
  // One N-API call (it fails on a non-number): these run on every system call.
  double value = 0;
  if (index >= info.Length() ||
      napi_get_value_double(info.Env(), info[index], &value) != napi_ok) {
    ThrowTypeError(info.Env(), std::string(name) + " must be a number");
  }
  if (!std::isfinite(value) || std::trunc(value) != value || value < min || value > max) {
    ThrowRangeError(info.Env(), std::string(name) + " must be an integer between " +
                                    Napi::Number::New(info.Env(), min).ToString().Utf8Value() +
                                    " and " +
                                    Napi::Number::New(info.Env(), max).ToString().Utf8Value() +
                                    ", got " + info[index].ToString().Utf8Value());
  }
  return value;
}

}  // namespace

int ArgInt(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<int>(Integer(info, index, name, -2147483648.0, 2147483647.0));
}

int ArgFd(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<int>(Integer(info, index, name, 0, 2147483647.0));
}

size_t ArgSize(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<size_t>(Integer(info, index, name, 0, 9007199254740991.0));
}

bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsBoolean()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be a boolean");
  }
  return info[index].As<Napi::Boolean>().Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsString()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

std::string ArgOptionalString(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || info[index].IsUndefined()) return "";
  return ArgString(info, index, name);
}

std::vector<int> ArgIntArray(const Napi::CallbackInfo& info, size_t index, const char* name,
                             int min) {
  std::vector<int> out;
  if (index >= info.Length() || info[index].IsUndefined()) return out;
  if (!info[index].IsArray()) ThrowTypeError(info.Env(), std::string(name) + " must be an array");
  Napi::Array array = info[index].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value value = array[i];
    std::string item = std::string(name) + "[" + std::to_string(i) + "]";
    if (!value.IsNumber()) ThrowTypeError(info.Env(), item + " must be a number");
    double number = value.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(number) || std::trunc(number) != number || number < min ||
        number > 2147483647.0) {
      ThrowRangeError(info.Env(), item + " must be an integer >= " + std::to_string(min) +
                                      ", got " + value.ToString().Utf8Value());
    }
    out.push_back(static_cast<int>(number));
  }
  return out;
}

std::vector<std::string> ArgStringArray(const Napi::CallbackInfo& info, size_t index,
                                        const char* name) {
  if (index >= info.Length() || !info[index].IsArray()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be an array of strings");
  }
  Napi::Array array = info[index].As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value value = array[i];
    if (!value.IsString()) {
      ThrowTypeError(info.Env(), std::string(name) + "[" + std::to_string(i) + "] must be a string");
    }
    out.push_back(value.As<Napi::String>().Utf8Value());
  }
  return out;
}

Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsFunction()) {
    ThrowTypeError(info.Env(), std::string(name) + " must be a function");
  }
  return info[index].As<Napi::Function>();
}

ByteRange ArgByteRange(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  // One napi_get_typedarray_info (it fails on anything else), not the three
  // Napi::Uint8Array's checks and constructors make.
  napi_typedarray_type type = napi_int8_array;
  size_t size = 0;
  void* data = nullptr;
  if (index >= info.Length() ||
      napi_get_typedarray_info(env, info[index], &type, &size, &data, nullptr, nullptr) !=
          napi_ok ||
      type != napi_uint8_array) {
    ThrowTypeError(env, "buffer must be a Buffer or Uint8Array");
  }
  size_t offset = ArgSize(info, index + 1, "offset");
  size_t length = ArgSize(info, index + 2, "length");
  if (offset + length > size) {
    ThrowRangeError(env, "offset " + std::to_string(offset) + " + length " +
                             std::to_string(length) + " is outside the buffer of " +
                             std::to_string(size) + " bytes");
  }
  return {static_cast<uint8_t*>(data) + offset, length};
}

}  // namespace ipc
