/**
 * Ordinary (anonymous) pipes: pipe() returns [readEnd, writeEnd], the
 * lecture's fd[0] and fd[1]. Read and write the ends with lib/fd.
 */
import { native } from "./native";

export interface PipeOptions {
  /** O_CLOEXEC: the ends are closed in a program started by exec. */
  cloexec?: boolean;
  /** O_NONBLOCK: reads and writes that would block fail with EAGAIN. */
  nonblock?: boolean;
}

/** pipe2(2): [fd[0] the read end, fd[1] the write end]. */
export function pipe(options: PipeOptions = {}): [readEnd: number, writeEnd: number] {
  return native.pipe((options.cloexec ? 1 : 0) | (options.nonblock ? 2 : 0));
}
