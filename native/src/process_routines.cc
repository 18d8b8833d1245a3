// Chapter 00's child routines: a fork that changes a global, exit codes and
// a crash for waitpid to decode.
#include <unistd.h>

#include "routines.h"

namespace ipc {

long g_demoValue = 5;

namespace {

// add N: the textbook fork example (value = 5; the child adds N). The child
// changes its copy of g_demoValue and reports it on fd 1.
int AddToGlobal(const RoutineArgs& args) {
  g_demoValue += args.count > 0 ? ParseLong(args.values[0]) : 15;
  WriteStr(1, "child  pid=");
  WriteLong(1, getpid());
  WriteStr(1, ": value = ");
  WriteLong(1, g_demoValue);
  WriteStr(1, "\n");
  return 0;
}

// exit N: exits at once with status N (for waitpid demonstrations).
int ExitWith(const RoutineArgs& args) {
  return args.count > 0 ? static_cast<int>(ParseLong(args.values[0])) : 0;
}

// crash: dereferences NULL, so waitpid reports SIGSEGV.
int Crash(const RoutineArgs&) {
  volatile int* nowhere = nullptr;
  *nowhere = 1;
  return 0;
}

}  // namespace

namespace {
const RoutineEntry kEntries[] = {
    {"add", AddToGlobal, "adds N (default 15) to the C global value and prints it on fd 1"},
    {"exit", ExitWith, "exits at once with status N"},
    {"crash", Crash, "writes through a NULL pointer and dies of SIGSEGV"},
};
}  // namespace

const RoutineTable kProcessRoutines = MakeTable("00-welcome", kEntries);

}  // namespace ipc
