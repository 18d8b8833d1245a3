// Chapter 07's child routines. A forked child has the parent's mappings at
// the same addresses, so the parent passes a mapping's address ("0x7f…") and
// the child stores into or loads from it: MAP_SHARED pages are the parent's
// own, MAP_PRIVATE pages are copied on the child's first store, and a page
// past the end of a truncated file kills the child with SIGBUS.
#include <unistd.h>

#include <cstdint>

#include "routines.h"

namespace ipc {
namespace {

// "0x7f3a5c1e2000" -> the address; 0 when the text is not hexadecimal.
uintptr_t ParseAddress(const char* text) {
  if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return 0;
  uintptr_t value = 0;
  for (const char* p = text + 2; *p != '\0'; ++p) {
    int digit;
    if (*p >= '0' && *p <= '9') digit = *p - '0';
    else if (*p >= 'a' && *p <= 'f') digit = *p - 'a' + 10;
    else if (*p >= 'A' && *p <= 'F') digit = *p - 'A' + 10;
    else return 0;
    value = value * 16 + static_cast<uintptr_t>(digit);
  }
  return value;
}

// mmap-store ADDRESS OFFSET TEXT: copies TEXT (without its NUL) to
// ADDRESS + OFFSET, then prints `stored N bytes` on fd 1.
int Store(const RoutineArgs& args) {
  if (args.count < 3) return 2;
  uintptr_t base = ParseAddress(args.values[0]);
  if (base == 0) return 2;
  volatile char* at = reinterpret_cast<volatile char*>(base + ParseLong(args.values[1]));
  long n = 0;
  for (const char* p = args.values[2]; *p != '\0'; ++p) at[n++] = *p;
  WriteStr(1, "child stored ");
  WriteLong(1, n);
  WriteStr(1, " bytes\n");
  return 0;
}

// mmap-load ADDRESS OFFSET: reads the byte at ADDRESS + OFFSET and prints
// `byte N` on fd 1; past the end of a mapped file this is SIGBUS.
int Load(const RoutineArgs& args) {
  if (args.count < 2) return 2;
  uintptr_t base = ParseAddress(args.values[0]);
  if (base == 0) return 2;
  volatile unsigned char* at =
      reinterpret_cast<volatile unsigned char*>(base + ParseLong(args.values[1]));
  long value = *at;
  WriteStr(1, "child read byte ");
  WriteLong(1, value);
  WriteStr(1, "\n");
  return 0;
}

const RoutineEntry kEntries[] = {
    {"mmap-store", Store, "stores TEXT at ADDRESS + OFFSET of a mapping inherited from the parent"},
    {"mmap-load", Load,
     "reads the byte at ADDRESS + OFFSET of an inherited mapping (SIGBUS past a file's end)"},
};

}  // namespace

const RoutineTable kMappedFileRoutines = MakeTable("07-memory-mapped-files", kEntries);

}  // namespace ipc
