/**
 * Ordinary (anonymous) pipes: pipe() returns [readEnd, writeEnd], the
 * lecture's fd[0] and fd[1]. Read and write the ends with lib/fd; the
 * capacity (the bytes a pipe holds before a writer blocks) is F_GETPIPE_SZ.
 */
import { native } from "./native";
import { O_CLOEXEC, O_NONBLOCK } from "./constants";
import { checkFd, checkInteger, checkOptions } from "./errors";
import { adopt } from "./descriptor";

export interface PipeOptions {
  /** O_CLOEXEC: the ends are closed in a program started by exec. */
  cloexec?: boolean;
  /** O_NONBLOCK: reads and writes that would block fail with EAGAIN. */
  nonblock?: boolean;
}

/** pipe2(2): [fd[0] the read end, fd[1] the write end]. */
export function pipe(options?: PipeOptions): [readEnd: number, writeEnd: number] {
  const { cloexec, nonblock } = checkOptions(options, "{ cloexec: true, nonblock: true }");
  const [r, w] = native.pipe((cloexec ? O_CLOEXEC : 0) | (nonblock ? O_NONBLOCK : 0));
  return [adopt(r), adopt(w)];
}

/** fcntl(fd, F_GETPIPE_SZ): how many bytes the pipe holds before a write blocks. */
export function pipeSize(fd: number): number {
  return native.pipeSize(checkFd(fd));
}

/**
 * fcntl(fd, F_SETPIPE_SZ): asks for a capacity of at least `size` bytes and
 * returns what the kernel chose (a power-of-two number of pages). Above
 * /proc/sys/fs/pipe-max-size an unprivileged process gets EPERM.
 */
export function setPipeSize(fd: number, size: number): number {
  checkFd(fd);
  return native.setPipeSize(fd, checkInteger("size", size, 1, 2 ** 31 - 1));
}
