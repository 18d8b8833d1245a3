/**
 * The class of every failed system call, shaped like Node's own SystemError:
 * `code` ('ENOENT') is the stable way to tell errors apart, `errno` is
 * negated as in Node, `syscall` names the real call, and the object it was
 * about is in a property of its own (`fd`, `pid`, `key`, `shmid`, `msqid`; `path` only
 * for paths and names). The addon builds every one (lib/errors.ts too).
 */
export class SystemError extends Error {
  declare code: string;
  declare errno: number;
  declare syscall: string;
  declare path?: string;
  declare fd?: number;
  declare pid?: number;
  declare key?: number;
  declare shmid?: number;
  declare semid?: number;
  declare msqid?: number;
  /** Sockets: the name getaddrinfo could not resolve; the address and port a call was about. */
  declare hostname?: string;
  declare address?: string;
  declare port?: number;

  constructor(message: string) {
    super(message);
    this.name = "SystemError";
  }
}
