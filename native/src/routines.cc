#include "routines.h"

#include "retry.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipc {

void WriteAll(int fd, const char* data, size_t length) {
  while (length > 0) {
    ssize_t n = RetryEintr([&] { return write(fd, data, length); });
    if (n <= 0) return;
    data += n;
    length -= static_cast<size_t>(n);
  }
}

void WriteStr(int fd, const char* text) { WriteAll(fd, text, strlen(text)); }

void WriteLong(int fd, long value) {
  char digits[24];
  size_t at = sizeof digits;
  bool negative = value < 0;
  unsigned long magnitude = negative ? -static_cast<unsigned long>(value) : value;
  do {
    digits[--at] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) digits[--at] = '-';
  WriteAll(fd, digits + at, sizeof digits - at);
}

long ParseLong(const char* text) {
  long sign = 1, value = 0;
  if (*text == '-') {
    sign = -1;
    ++text;
  }
  while (*text >= '0' && *text <= '9') value = value * 10 + (*text++ - '0');
  return sign * value;
}

namespace {
// One line per chapter with routines, in chapter order.
const RoutineTable* const kTables[] = {&kProcessRoutines, &kPipeRoutines,
                                      &kMappedFileRoutines};
}  // namespace

const RoutineTable* const* RoutineTables(size_t* count) {
  *count = sizeof kTables / sizeof kTables[0];
  return kTables;
}

const RoutineEntry* FindRoutine(const char* name) {
  for (const RoutineTable* table : kTables) {
    for (size_t i = 0; i < table->count; ++i) {
      if (strcmp(table->entries[i].name, name) == 0) return &table->entries[i];
    }
  }
  return nullptr;
}

}  // namespace ipc
