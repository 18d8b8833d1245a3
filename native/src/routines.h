// Child routines: the C code a forked child runs until _exit. After fork() in
// a multithreaded process (Node) the child may only call async-signal-safe
// functions, so routines use raw read/write and never allocate. Each chapter
// keeps its routines beside its native file (process_routines.cc,
// pipe_routines.cc) in a RoutineTable that routines.cc lists.
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

struct RoutineTable {
  const char* chapter;  // "00-welcome"
  const RoutineEntry* entries;
  size_t count;
};

template <size_t N>
constexpr RoutineTable MakeTable(const char* chapter, const RoutineEntry (&entries)[N]) {
  return {chapter, entries, N};
}

// Each chapter's table (defined in that chapter's *_routines.cc).
extern const RoutineTable kProcessRoutines;
extern const RoutineTable kPipeRoutines;
extern const RoutineTable kMappedFileRoutines;

// Every chapter's table, in chapter order.
const RoutineTable* const* RoutineTables(size_t* count);

// nullptr when no routine has that name.
const RoutineEntry* FindRoutine(const char* name);

// The C global that chapter 00 changes in a child to show that address
// spaces are separate.
extern long g_demoValue;

// Async-signal-safe helpers for routines.
void WriteAll(int fd, const char* data, size_t length);
void WriteStr(int fd, const char* text);
void WriteLong(int fd, long value);
long ParseLong(const char* text);

}  // namespace ipc
