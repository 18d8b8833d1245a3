// Child routines: the C code a forked child runs until _exit. After fork() in
// a multithreaded process (Node) the child may only call async-signal-safe
// functions, so routines use raw read/write and never allocate.
#pragma once
#include <cstddef>

namespace ipc {

constexpr size_t kMaxRoutineArgs = 8;

struct RoutineArgs {
  size_t count = 0;
  const char* values[kMaxRoutineArgs] = {};
};

// Returns the child's exit status; the caller passes it to _exit.
using Routine = int (*)(const RoutineArgs& args);

struct RoutineEntry {
  const char* name;
  Routine run;
  const char* summary;  // shown by listRoutines() and in "unknown routine" errors
};

// nullptr when no routine has that name.
const RoutineEntry* FindRoutine(const char* name);
const RoutineEntry* Routines(size_t* count);

// The C global that chapter 00 changes in a child to show that address
// spaces are separate.
extern long g_demoValue;

// Async-signal-safe output helpers for routines.
void WriteAll(int fd, const char* data, size_t length);
void WriteStr(int fd, const char* text);
void WriteLong(int fd, long value);

}  // namespace ipc
