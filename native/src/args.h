// Reading a JS call's arguments at the boundary, one way for every file:
// each reader names the argument in its error (see errors.h for the kinds).
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"

namespace ipc {

// A 32-bit integer.
int ArgInt(const Napi::CallbackInfo& info, size_t index, const char* name);
// A descriptor: an integer >= 0.
int ArgFd(const Napi::CallbackInfo& info, size_t index, const char* name = "fd");
// A size or offset: an integer in [0, 2^53).
size_t ArgSize(const Napi::CallbackInfo& info, size_t index, const char* name);
bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name);
std::string ArgString(const Napi::CallbackInfo& info, size_t index, const char* name);
// undefined reads as "" (absent); anything else must be a string.
std::string ArgOptionalString(const Napi::CallbackInfo& info, size_t index, const char* name);
// undefined reads as empty; else an array of 32-bit integers >= min.
std::vector<int> ArgIntArray(const Napi::CallbackInfo& info, size_t index, const char* name,
                             int min);
std::vector<std::string> ArgStringArray(const Napi::CallbackInfo& info, size_t index,
                                        const char* name);
Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name);

struct ByteRange {
  uint8_t* data;
  size_t length;
};
// (buffer, offset, length) at info[index..index+2]: a Uint8Array and a range inside it.
ByteRange ArgByteRange(const Napi::CallbackInfo& info, size_t index);

}  // namespace ipc
