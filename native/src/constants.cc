// The kernel's values, read from the C headers in one place: lib/constants.ts
// types them once, and every flag the library takes passes through to the
// call unchanged (no private masks decoded again here).
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>

#include "modules.h"

namespace ipc {

namespace {

#define KERNEL_VALUE(object, name) object.Set(#name, static_cast<double>(name))

Napi::Object Errnos(Napi::Env env) {
  Napi::Object e = Napi::Object::New(env);
  KERNEL_VALUE(e, EACCES);
  KERNEL_VALUE(e, EAGAIN);
  KERNEL_VALUE(e, EBADF);
  KERNEL_VALUE(e, EBUSY);
  KERNEL_VALUE(e, ECANCELED);
  KERNEL_VALUE(e, EEXIST);
  KERNEL_VALUE(e, EINTR);
  KERNEL_VALUE(e, EINVAL);
  KERNEL_VALUE(e, EISDIR);
  KERNEL_VALUE(e, ENOENT);
  KERNEL_VALUE(e, ENOMSG);
  KERNEL_VALUE(e, ENOSPC);
  KERNEL_VALUE(e, ESRCH);
  KERNEL_VALUE(e, EPERM);
  KERNEL_VALUE(e, EPIPE);
  KERNEL_VALUE(e, ETIMEDOUT);
  // sockets (socket.cc)
  KERNEL_VALUE(e, EADDRINUSE);
  KERNEL_VALUE(e, EADDRNOTAVAIL);
  KERNEL_VALUE(e, ECONNREFUSED);
  KERNEL_VALUE(e, ECONNRESET);
  KERNEL_VALUE(e, EMFILE);
  KERNEL_VALUE(e, EMSGSIZE);
  KERNEL_VALUE(e, ENOTCONN);
  KERNEL_VALUE(e, ENOTSOCK);
  return e;
}

}  // namespace

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object c = Napi::Object::New(env);
  // open(2), shm_open(3), pipe2(2)
  KERNEL_VALUE(c, O_RDONLY);
  KERNEL_VALUE(c, O_WRONLY);
  KERNEL_VALUE(c, O_RDWR);
  KERNEL_VALUE(c, O_CREAT);
  KERNEL_VALUE(c, O_EXCL);
  KERNEL_VALUE(c, O_TRUNC);
  KERNEL_VALUE(c, O_NONBLOCK);
  KERNEL_VALUE(c, O_CLOEXEC);
  // mmap(2)
  KERNEL_VALUE(c, PROT_NONE);
  KERNEL_VALUE(c, PROT_READ);
  KERNEL_VALUE(c, PROT_WRITE);
  KERNEL_VALUE(c, MAP_SHARED);
  KERNEL_VALUE(c, MAP_PRIVATE);
  KERNEL_VALUE(c, MAP_ANONYMOUS);
  // msync(2), madvise(2), posix_fadvise(2)
  KERNEL_VALUE(c, MS_SYNC);
  KERNEL_VALUE(c, MS_ASYNC);
  KERNEL_VALUE(c, MS_INVALIDATE);
  KERNEL_VALUE(c, MADV_NORMAL);
  KERNEL_VALUE(c, MADV_SEQUENTIAL);
  KERNEL_VALUE(c, MADV_RANDOM);
  KERNEL_VALUE(c, MADV_WILLNEED);
  KERNEL_VALUE(c, MADV_DONTNEED);
  KERNEL_VALUE(c, POSIX_FADV_DONTNEED);
  // System V IPC
  KERNEL_VALUE(c, IPC_PRIVATE);
  KERNEL_VALUE(c, IPC_CREAT);
  KERNEL_VALUE(c, IPC_EXCL);
  KERNEL_VALUE(c, IPC_NOWAIT);
  KERNEL_VALUE(c, IPC_RMID);
  KERNEL_VALUE(c, IPC_STAT);
  KERNEL_VALUE(c, IPC_SET);
  KERNEL_VALUE(c, SHM_RDONLY);
  KERNEL_VALUE(c, SHM_DEST);
  // System V semaphores (semop, semctl)
  KERNEL_VALUE(c, SEM_UNDO);
  KERNEL_VALUE(c, GETVAL);
  KERNEL_VALUE(c, SETVAL);
  KERNEL_VALUE(c, GETALL);
  KERNEL_VALUE(c, SETALL);
  KERNEL_VALUE(c, GETPID);
  KERNEL_VALUE(c, GETNCNT);
  KERNEL_VALUE(c, GETZCNT);
  KERNEL_VALUE(c, MSG_NOERROR);
  KERNEL_VALUE(c, MSG_EXCEPT);
  // waitpid(2)
  KERNEL_VALUE(c, WNOHANG);
  KERNEL_VALUE(c, WUNTRACED);
  KERNEL_VALUE(c, WCONTINUED);
  // signals (signal.cc): the real-time range (glibc keeps the first few for
  // itself, so SIGRTMIN is read at run time) and si_code's senders
  c.Set("SIGRTMIN", static_cast<double>(SIGRTMIN));
  c.Set("SIGRTMAX", static_cast<double>(SIGRTMAX));
  KERNEL_VALUE(c, NSIG);
  KERNEL_VALUE(c, SI_USER);
  KERNEL_VALUE(c, SI_QUEUE);
  KERNEL_VALUE(c, SI_TKILL);
  KERNEL_VALUE(c, SI_KERNEL);
  KERNEL_VALUE(c, SI_TIMER);
  KERNEL_VALUE(c, SI_MESGQ);
  KERNEL_VALUE(c, CLD_EXITED);
  KERNEL_VALUE(c, CLD_KILLED);
  KERNEL_VALUE(c, CLD_DUMPED);
  KERNEL_VALUE(c, CLD_STOPPED);
  KERNEL_VALUE(c, CLD_CONTINUED);
  // libuv's poll events (uv_poll_start), for lib/poll.ts
  KERNEL_VALUE(c, UV_READABLE);
  KERNEL_VALUE(c, UV_WRITABLE);
  KERNEL_VALUE(c, UV_DISCONNECT);
  // poll(2)'s events (poll.cc's blocking poll, for the …Sync calls)
  KERNEL_VALUE(c, POLLIN);
  KERNEL_VALUE(c, POLLOUT);
  // sockets (socket.cc): domains, types, options, shutdown's how
  KERNEL_VALUE(c, AF_INET);
  KERNEL_VALUE(c, AF_INET6);
  KERNEL_VALUE(c, AF_UNIX);
  KERNEL_VALUE(c, SOCK_STREAM);
  KERNEL_VALUE(c, SOCK_DGRAM);
  KERNEL_VALUE(c, SOCK_SEQPACKET);
  KERNEL_VALUE(c, SOCK_NONBLOCK);
  KERNEL_VALUE(c, SOL_SOCKET);
  KERNEL_VALUE(c, SO_REUSEADDR);
  KERNEL_VALUE(c, SO_REUSEPORT);
  KERNEL_VALUE(c, SO_BROADCAST);
  KERNEL_VALUE(c, SO_KEEPALIVE);
  KERNEL_VALUE(c, SO_RCVBUF);
  KERNEL_VALUE(c, SO_SNDBUF);
  KERNEL_VALUE(c, SO_ERROR);
  KERNEL_VALUE(c, SO_TYPE);
  KERNEL_VALUE(c, SO_ACCEPTCONN);
  KERNEL_VALUE(c, IPPROTO_TCP);
  KERNEL_VALUE(c, IPPROTO_UDP);
  KERNEL_VALUE(c, IPPROTO_IP);
  KERNEL_VALUE(c, TCP_NODELAY);
  KERNEL_VALUE(c, IP_MULTICAST_LOOP);
  KERNEL_VALUE(c, IP_MULTICAST_TTL);
  KERNEL_VALUE(c, SHUT_RD);
  KERNEL_VALUE(c, SHUT_WR);
  KERNEL_VALUE(c, SHUT_RDWR);
  KERNEL_VALUE(c, SOMAXCONN);
  // stat(2)'s file type bits
  KERNEL_VALUE(c, S_IFMT);
  KERNEL_VALUE(c, S_IFIFO);
  // Limits
  KERNEL_VALUE(c, NAME_MAX);
  KERNEL_VALUE(c, PIPE_BUF);
  KERNEL_VALUE(c, SEM_VALUE_MAX);
  c.Set("SIZEOF_SEM_T", static_cast<double>(sizeof(sem_t)));
  c.Set("ALIGNOF_SEM_T", static_cast<double>(alignof(sem_t)));
  c.Set("MQ_PRIO_MAX", static_cast<double>(sysconf(_SC_MQ_PRIO_MAX)));
  c.Set("PAGE_SIZE", static_cast<double>(sysconf(_SC_PAGESIZE)));
  c.Set("errno", Errnos(env));
  exports.Set("constants", c);
}

}  // namespace ipc
