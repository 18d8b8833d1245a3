// A typed view of a JS Uint8Array/Buffer argument, with the range checked.
#pragma once
#include <napi.h>

#include "errors.h"

namespace ipc {

struct ByteRange {
  uint8_t* data;
  size_t length;
};

// (buffer, offset, length) at info[index..index+2]; throws on a bad range.
inline ByteRange ArgByteRange(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowTypeError(env, "buffer must be a Buffer or Uint8Array");
  }
  Napi::Uint8Array array = info[index].As<Napi::Uint8Array>();
  int offset = ArgInt(info, index + 1, "offset");
  int length = ArgInt(info, index + 2, "length");
  if (offset < 0 || length < 0 || static_cast<size_t>(offset) + length > array.ByteLength()) {
    ThrowRangeError(env, "offset " + std::to_string(offset) + " + length " +
                             std::to_string(length) + " is outside the buffer of " +
                             std::to_string(array.ByteLength()) + " bytes");
  }
  return {array.Data() + offset, static_cast<size_t>(length)};
}

}  // namespace ipc
