// Chapter 02's child routines: the lecture's reader, echo and uppercase
// relays, the child that answers each message, and a writer that fills a pipe.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "retry.h"
#include "routines.h"

namespace ipc {
namespace {

// Copies fd 0 to fd 1 until end of file, transforming each chunk in place.
int Relay(void (*transform)(char*, ssize_t)) {
  char buffer[4096];
  for (;;) {
    ssize_t n = RetryEintr([&] { return read(0, buffer, sizeof buffer); });
    if (n < 0) return 1;
    if (n == 0) return 0;
    if (transform != nullptr) transform(buffer, n);
    WriteAll(1, buffer, static_cast<size_t>(n));
  }
}

void Uppercase(char* data, ssize_t length) {
  for (ssize_t i = 0; i < length; ++i) {
    if (data[i] >= 'a' && data[i] <= 'z') data[i] = static_cast<char>(data[i] - 'a' + 'A');
  }
}

// echo: copies fd 0 to fd 1 until EOF.
int Echo(const RoutineArgs&) { return Relay(nullptr); }

// uppercase: like echo, in capitals; with two pipes it answers its parent.
int UppercaseRoutine(const RoutineArgs&) { return Relay(Uppercase); }

// reader: the lecture's child. One read of at most BUFFER_SIZE (25) bytes
// from fd 0, then `read <message>` on fd 1, as printf("read %s") does.
int Reader(const RoutineArgs&) {
  char message[25];
  ssize_t n = RetryEintr([&] { return read(0, message, sizeof message); });
  if (n < 0) return 1;
  if (n == 0) {
    WriteStr(1, "read nothing: end of file\n");
    return 2;
  }
  WriteStr(1, "read ");
  WriteAll(1, message, static_cast<size_t>(n));
  WriteStr(1, "\n");
  return 0;
}

// reply: answers each message read from fd 0 on fd 1 (the second pipe):
// `child got N bytes: <message>`, until end of file.
int Reply(const RoutineArgs&) {
  char message[4096];
  for (;;) {
    ssize_t n = RetryEintr([&] { return read(0, message, sizeof message); });
    if (n < 0) return 1;
    if (n == 0) return 0;
    // One write per answer, so that the reader gets it in one piece.
    char answer[sizeof message + 64];
    size_t at = 0;
    auto append = [&](const char* data, size_t length) {
      memcpy(answer + at, data, length);
      at += length;
    };
    char digits[24];
    size_t first = sizeof digits;
    for (ssize_t left = n; left > 0 || first == sizeof digits; left /= 10) {
      digits[--first] = static_cast<char>('0' + left % 10);
    }
    append("child got ", 10);
    append(digits + first, sizeof digits - first);
    append(" bytes: ", 8);
    append(message, static_cast<size_t>(n));
    WriteAll(1, answer, at);
  }
}

// writer [N]: writes N bytes of 'x' (default: without end) to fd 1 in 4 KiB
// writes, blocking while the pipe is full. With no reader left, SIGPIPE ends it.
int Writer(const RoutineArgs& args) {
  long left = args.count > 0 ? ParseLong(args.values[0]) : -1;
  char chunk[4096];
  memset(chunk, 'x', sizeof chunk);
  while (left != 0) {
    size_t size = left < 0 || left > static_cast<long>(sizeof chunk) ? sizeof chunk : left;
    ssize_t n = RetryEintr([&] { return write(1, chunk, size); });
    if (n < 0) return 1;
    if (left > 0) left -= n;
  }
  return 0;
}

const RoutineEntry kEntries[] = {
    {"echo", Echo, "copies fd 0 to fd 1 until end of file"},
    {"uppercase", UppercaseRoutine, "copies fd 0 to fd 1 in capital letters until end of file"},
    {"reader", Reader, "the lecture's child: reads once from fd 0, prints 'read <message>' on fd 1"},
    {"reply", Reply, "answers each message from fd 0 on fd 1 ('child got N bytes: ...') until EOF"},
    {"writer", Writer, "writes N bytes of 'x' (default: forever) to fd 1, blocking when full"},
};

}  // namespace

const RoutineTable kPipeRoutines = MakeTable("02-pipes", kEntries);

}  // namespace ipc
