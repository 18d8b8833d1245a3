// Message queues, both families.
//
// POSIX (mq_open & co.): on Linux an mqd_t is a descriptor, so the waits are
// descriptor waits (lib/poll.ts). Their "try without blocking" is
// mq_timedsend/mq_timedreceive with an absolute time-out already past (the
// epoch): when the call would block it returns ETIMEDOUT at once instead of
// sleeping. That keeps the open file description as the user made it: no
// O_NONBLOCK flipped on a description a forked child or a second handle
// shares, and no second descriptor (which would need the name, gone once
// unlinked). A description opened O_NONBLOCK answers EAGAIN instead; both
// read as "would block". mqSend/mqReceive are the plain calls, which block
// unless the description is non-blocking; mqTimedsend/mqTimedreceive take a
// real deadline (for the lesson on timed calls).
//
// System V (msgget & co.): a queue id, no descriptor, so a blocking msgsnd or
// msgrcv runs as a BlockingCall on a thread of its own (blocking.h); the
// nowait forms add IPC_NOWAIT and report "would block" (EAGAIN, ENOMSG).
#include <mqueue.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "blocking.h"
#include "modules.h"

namespace ipc {
namespace {

Napi::Object Attr(Napi::Env env, const struct mq_attr& a) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("flags", static_cast<double>(a.mq_flags));
  out.Set("maxmsg", static_cast<double>(a.mq_maxmsg));
  out.Set("msgsize", static_cast<double>(a.mq_msgsize));
  out.Set("curmsgs", static_cast<double>(a.mq_curmsgs));
  return out;
}

// mqOpen(name, flags, mode, withAttr, maxmsg, msgsize) -> fd. Without attr:
// the kernel's defaults (/proc/sys/fs/mqueue/msg_default, msgsize_default).
Napi::Value MqOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = ArgString(info, 0, "name");
  int flags = ArgInt(info, 1, "flags");
  int mode = ArgInt(info, 2, "mode");
  bool withAttr = ArgBool(info, 3, "withAttr");
  int maxmsg = ArgInt(info, 4, "maxmsg");
  int msgsize = ArgInt(info, 5, "msgsize");
  struct mq_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.mq_maxmsg = maxmsg;
  attr.mq_msgsize = msgsize;
  mqd_t q = mq_open(name.c_str(), flags, static_cast<mode_t>(mode), withAttr ? &attr : nullptr);
  if (q == static_cast<mqd_t>(-1)) ThrowErrno(env, errno, "mq_open", Path(name));
  return Napi::Number::New(env, q);
}

Napi::Value MqUnlink(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  if (mq_unlink(name.c_str()) < 0) ThrowErrno(info.Env(), errno, "mq_unlink", Path(name));
  return info.Env().Undefined();
}

Napi::Value MqGetattr(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  struct mq_attr a;
  if (mq_getattr(fd, &a) < 0) ThrowErrno(info.Env(), errno, "mq_getattr", Fd(fd));
  return Attr(info.Env(), a);
}

// mqSetattr(fd, flags) -> the attributes before. Only O_NONBLOCK can change.
Napi::Value MqSetattr(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int flags = ArgInt(info, 1, "flags");
  struct mq_attr a, old;
  std::memset(&a, 0, sizeof a);
  a.mq_flags = flags;
  if (mq_setattr(fd, &a, &old) < 0) ThrowErrno(info.Env(), errno, "mq_setattr", Fd(fd));
  return Attr(info.Env(), old);
}

// A deadline `ms` milliseconds from now (CLOCK_REALTIME, as mq_timed* want);
// a negative `ms` is the epoch, already past.
struct timespec Deadline(double ms) {
  struct timespec ts = {0, 0};
  if (ms < 0) return ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  long long ns = static_cast<long long>(ts.tv_nsec) + static_cast<long long>(ms * 1e6);
  ts.tv_sec += ns / 1000000000LL;
  ts.tv_nsec = ns % 1000000000LL;
  return ts;
}

bool WouldBlock(int err) { return err == EAGAIN || err == ETIMEDOUT; }

enum class Mode { kPlain, kNowait, kTimed };

const char* SendName(Mode m) { return m == Mode::kPlain ? "mq_send" : "mq_timedsend"; }
const char* ReceiveName(Mode m) { return m == Mode::kPlain ? "mq_receive" : "mq_timedreceive"; }

// (fd, buffer, offset, length, priority[, ms]) -> true, or false when a
// nowait send would block.
Napi::Value Send(const Napi::CallbackInfo& info, Mode mode) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange bytes = ArgByteRange(info, 1);
  int prio = ArgInt(info, 4, "priority");
  struct timespec ts = Deadline(mode == Mode::kTimed ? static_cast<double>(ArgSize(info, 5, "ms")) : -1.0);
  const char* data = reinterpret_cast<const char*>(bytes.data);
  int rc = RetryEintr([&] {
    return mode == Mode::kPlain ? mq_send(fd, data, bytes.length, static_cast<unsigned>(prio))
                                : mq_timedsend(fd, data, bytes.length, static_cast<unsigned>(prio), &ts);
  });
  if (rc < 0 && mode == Mode::kNowait && WouldBlock(errno)) return Napi::Boolean::New(env, false);
  if (rc < 0) ThrowErrno(env, errno, SendName(mode), Fd(fd));
  return Napi::Boolean::New(env, true);
}

// A Uint32Array of at least `min` elements, read in place (the caller's
// memory: results go there without an allocation).
unsigned* ArgUint32s(const Napi::CallbackInfo& info, size_t index, const char* name, size_t min) {
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  // One napi_get_typedarray_info: this runs once per message.
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      napi_get_typedarray_info(info.Env(), info[index], &type, &length, &data, nullptr, nullptr) !=
          napi_ok ||
      type != napi_uint32_array || length < min) {
    std::string message = name;
    message += " must be a Uint32Array of at least ";
    message += min == 1 ? "one element" : std::to_string(min) + " elements";
    ThrowTypeError(info.Env(), message);
  }
  return static_cast<unsigned*>(data);
}

// Where a receive stores the message's priority: a Uint32Array of one
// element, as C's `unsigned *msg_prio` (a result array per receive would be
// an allocation per message).
unsigned* ArgPriorityOut(const Napi::CallbackInfo& info, size_t index) {
  return ArgUint32s(info, index, "priority", 1);
}

// (fd, buffer, offset, length, priority[, ms]) -> bytes, with the message's
// priority in priority[0]; -1 when a nowait receive would block. The buffer
// must hold mq_msgsize bytes.
Napi::Value Receive(const Napi::CallbackInfo& info, Mode mode) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange bytes = ArgByteRange(info, 1);
  unsigned* prio = ArgPriorityOut(info, 4);
  struct timespec ts = Deadline(mode == Mode::kTimed ? static_cast<double>(ArgSize(info, 5, "ms")) : -1.0);
  char* data = reinterpret_cast<char*>(bytes.data);
  ssize_t n = RetryEintr([&] {
    return mode == Mode::kPlain ? mq_receive(fd, data, bytes.length, prio)
                                : mq_timedreceive(fd, data, bytes.length, prio, &ts);
  });
  if (n < 0 && mode == Mode::kNowait && WouldBlock(errno)) return Napi::Number::New(env, -1);
  if (n < 0) ThrowErrno(env, errno, ReceiveName(mode), Fd(fd));
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value MqSend(const Napi::CallbackInfo& info) { return Send(info, Mode::kPlain); }
Napi::Value MqSendNowait(const Napi::CallbackInfo& info) { return Send(info, Mode::kNowait); }
Napi::Value MqTimedsend(const Napi::CallbackInfo& info) { return Send(info, Mode::kTimed); }
Napi::Value MqReceive(const Napi::CallbackInfo& info) { return Receive(info, Mode::kPlain); }
Napi::Value MqReceiveNowait(const Napi::CallbackInfo& info) { return Receive(info, Mode::kNowait); }
Napi::Value MqTimedreceive(const Napi::CallbackInfo& info) { return Receive(info, Mode::kTimed); }

// ---- Batches: one N-API call, still one system call per message ----
//
// A blocking send or receive costs one crossing from JavaScript into the
// addon per message, and in a tight loop that crossing, not the kernel, is
// what the library pays beyond C. These take a batch per crossing and make
// the same calls C's loop makes, one per message, in a C loop.

// The wait of a batch: ms < 0 is none (mq_send/mq_receive, blocking unless
// the description is O_NONBLOCK); else one deadline for the whole batch
// (mq_timedsend/mq_timedreceive), as an absolute time-out is meant to be used.
Mode BatchMode(const Napi::CallbackInfo& info, size_t index, struct timespec* ts) {
  int ms = ArgInt(info, index, "ms");
  if (ms < 0) return Mode::kPlain;
  *ts = Deadline(ms);
  return Mode::kTimed;
}

// mqSendMany(fd, buffer, offset, length, ends, count, priority, ms) -> count.
// Message i is the range [ends[i - 1], ends[i]) of the packed bytes (from 0
// for the first), sent in order with one mq_send each. A failure throws the
// call's error with `sent`: how many went before it (the kernel keeps those).
Napi::Value MqSendMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange bytes = ArgByteRange(info, 1);
  size_t count = ArgSize(info, 5, "count");
  const unsigned* ends = ArgUint32s(info, 4, "ends", count);
  int prio = ArgInt(info, 6, "priority");
  struct timespec ts = {0, 0};
  Mode mode = BatchMode(info, 7, &ts);
  // Every range checked before the first send: a bad one sends nothing.
  for (size_t i = 0, start = 0; i < count; start = ends[i++]) {
    if (ends[i] < start || ends[i] > bytes.length) {
      ThrowRangeError(env, "ends[" + std::to_string(i) + "] " + std::to_string(ends[i]) +
                               " is outside " + std::to_string(start) + " .. " +
                               std::to_string(bytes.length));
    }
  }
  const char* data = reinterpret_cast<const char*>(bytes.data);
  size_t start = 0;
  for (size_t i = 0; i < count; start = ends[i++]) {
    size_t length = ends[i] - start;
    int rc = RetryEintr([&] {
      return mode == Mode::kPlain
                 ? mq_send(fd, data + start, length, static_cast<unsigned>(prio))
                 : mq_timedsend(fd, data + start, length, static_cast<unsigned>(prio), &ts);
    });
    if (rc < 0) {
      int err = errno;
      Napi::Error error = ErrnoError(env, err, SendName(mode), Fd(fd),
                                     std::to_string(i) + " of " + std::to_string(count) +
                                         " messages sent");
      error.Set("sent", static_cast<double>(i));
      throw error;
    }
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

// mqReceiveMany(fd, buffer, offset, length, msgsize, max, ends, priorities,
// ms) -> count (>= 1). The first receive waits as mq_receive does (or until
// the deadline); the rest take what is already there (mq_timedreceive with a
// deadline already past, as the nowait receive) until the queue is empty,
// `max` are taken or the range has no room for another message of msgsize
// bytes. The messages lie packed in the range, message i ending at ends[i],
// its priority in priorities[i]. Only the first receive's failure throws:
// once a message is taken it is the caller's, so a later failure ends the
// batch (a repeat of it is the next call's to report).
Napi::Value MqReceiveMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange room = ArgByteRange(info, 1);
  size_t msgsize = ArgSize(info, 4, "msgsize");
  size_t max = ArgSize(info, 5, "max");
  if (max < 1) ThrowRangeError(env, "max must be at least 1");
  unsigned* ends = ArgUint32s(info, 6, "ends", max);
  unsigned* prios = ArgUint32s(info, 7, "priorities", max);
  if (room.length > 0xffffffffu) ThrowRangeError(env, "length must be below 4 GiB");
  struct timespec ts = {0, 0};
  Mode mode = BatchMode(info, 8, &ts);
  char* data = reinterpret_cast<char*>(room.data);
  ssize_t n = RetryEintr([&] {
    return mode == Mode::kPlain ? mq_receive(fd, data, room.length, &prios[0])
                                : mq_timedreceive(fd, data, room.length, &prios[0], &ts);
  });
  if (n < 0) ThrowErrno(env, errno, ReceiveName(mode), Fd(fd));
  size_t used = static_cast<size_t>(n);
  ends[0] = static_cast<unsigned>(used);
  const struct timespec past = Deadline(-1);
  size_t count = 1;
  while (count < max && room.length - used >= msgsize) {
    n = RetryEintr([&] {
      return mq_timedreceive(fd, data + used, room.length - used, &prios[count], &past);
    });
    if (n < 0) break;  // empty (ETIMEDOUT, or EAGAIN if O_NONBLOCK), or the next call's error
    used += static_cast<size_t>(n);
    ends[count++] = static_cast<unsigned>(used);
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

// mqNotify(fd, signo): signo > 0 registers SIGEV_SIGNAL with that signal,
// 0 registers SIGEV_NONE (registered, nothing sent), -1 removes the
// registration (mq_notify(fd, NULL)).
Napi::Value MqNotify(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int signo = ArgInt(info, 1, "signo");
  struct sigevent ev;
  std::memset(&ev, 0, sizeof ev);
  ev.sigev_notify = signo > 0 ? SIGEV_SIGNAL : SIGEV_NONE;
  ev.sigev_signo = signo > 0 ? signo : 0;
  if (mq_notify(fd, signo < 0 ? nullptr : &ev) < 0) {
    ThrowErrno(info.Env(), errno, "mq_notify", Fd(fd));
  }
  return info.Env().Undefined();
}

// ---- System V ----

Napi::Value Msgget(const Napi::CallbackInfo& info) {
  int key = ArgInt(info, 0, "key");
  int flags = ArgInt(info, 1, "flags");
  int id = msgget(static_cast<key_t>(key), flags);
  if (id < 0) ThrowErrno(info.Env(), errno, "msgget", Key(key));
  return Napi::Number::New(info.Env(), id);
}

// A message as msgsnd/msgrcv see it: a long mtype, then the bytes.
struct Message {
  std::vector<char> storage;
  explicit Message(size_t size) : storage(sizeof(long) + size) {}
  long& type() { return *reinterpret_cast<long*>(storage.data()); }
  char* text() { return storage.data() + sizeof(long); }
  void* raw() { return storage.data(); }
};

Napi::Object MessageValue(Napi::Env env, Message& m, ssize_t n) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("type", static_cast<double>(m.type()));
  out.Set("data", Napi::Buffer<char>::Copy(env, m.text(), static_cast<size_t>(n)));
  return out;
}

std::unique_ptr<Message> ReadMessage(const Napi::CallbackInfo& info, size_t index) {
  int type = ArgInt(info, index, "type");
  ByteRange bytes = ArgByteRange(info, index + 1);
  auto m = std::make_unique<Message>(bytes.length);
  m->type() = type;
  if (bytes.length > 0) std::memcpy(m->text(), bytes.data, bytes.length);
  return m;
}

// msgsndNowait(msqid, type, buffer, offset, length, flags) -> true, or false
// if the queue is full (EAGAIN with IPC_NOWAIT); msgsndSync(...same) is the
// plain call, blocking while the queue is full unless flags has IPC_NOWAIT.
Napi::Value Snd(const Napi::CallbackInfo& info, bool nowait) {
  int id = ArgInt(info, 0, "msqid");
  int type = ArgInt(info, 1, "type");
  ByteRange bytes = ArgByteRange(info, 2);
  int flags = ArgInt(info, 5, "flags") | (nowait ? IPC_NOWAIT : 0);
  // msgsnd wants the type and the bytes in one piece: a small message is put
  // together on the stack (no allocation per message), a large one on the heap.
  alignas(long) char small[sizeof(long) + 256];
  std::vector<char> large;
  char* whole = small;
  if (bytes.length > sizeof small - sizeof(long)) {
    large.resize(sizeof(long) + bytes.length);
    whole = large.data();
  }
  long mtype = type;
  std::memcpy(whole, &mtype, sizeof mtype);
  if (bytes.length > 0) std::memcpy(whole + sizeof(long), bytes.data, bytes.length);
  int rc = RetryEintr([&] { return msgsnd(id, whole, bytes.length, flags); });
  if (rc < 0 && nowait && errno == EAGAIN) return Napi::Boolean::New(info.Env(), false);
  if (rc < 0) ThrowErrno(info.Env(), errno, "msgsnd", Msqid(id));
  return Napi::Boolean::New(info.Env(), true);
}

// msgrcvNowait(msqid, buffer, offset, length, type, flags) -> the text's
// length, or -1 when no message matches (ENOMSG with IPC_NOWAIT);
// msgrcvSync(...same) is the plain call, blocking while none matches unless
// flags has IPC_NOWAIT. The range receives the message as msgrcv writes it:
// its type (a long, this machine's byte order), then at most length -
// sizeof(long) bytes of text. The caller's buffer: no copy, no allocation.
static_assert(sizeof(long) == 8, "lib/mqueue.ts reads a received message's type as 8 bytes");

Napi::Value Rcv(const Napi::CallbackInfo& info, bool nowait) {
  int id = ArgInt(info, 0, "msqid");
  ByteRange room = ArgByteRange(info, 1);
  int type = ArgInt(info, 4, "type");
  int flags = ArgInt(info, 5, "flags") | (nowait ? IPC_NOWAIT : 0);
  if (room.length < sizeof(long)) {
    ThrowRangeError(info.Env(), "length must hold the message's type (" +
                                    std::to_string(sizeof(long)) + " bytes)");
  }
  size_t max = room.length - sizeof(long);
  ssize_t n = RetryEintr([&] { return msgrcv(id, room.data, max, type, flags); });
  if (n < 0 && nowait && errno == ENOMSG) return Napi::Number::New(info.Env(), -1);
  if (n < 0) ThrowErrno(info.Env(), errno, "msgrcv", Msqid(id));
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value MsgsndNowait(const Napi::CallbackInfo& info) { return Snd(info, true); }
Napi::Value MsgsndSync(const Napi::CallbackInfo& info) { return Snd(info, false); }
Napi::Value MsgrcvNowait(const Napi::CallbackInfo& info) { return Rcv(info, true); }
Napi::Value MsgrcvSync(const Napi::CallbackInfo& info) { return Rcv(info, false); }

class MsgsndCall : public BlockingCall {
 public:
  MsgsndCall(int id, std::unique_ptr<Message> m, int flags)
      : id_(id), m_(std::move(m)), flags_(flags) {}
  int Run() override {
    size_t size = m_->storage.size() - sizeof(long);
    return msgsnd(id_, m_->raw(), size, flags_) == 0 ? 0 : errno;
  }
  const char* Syscall() const override { return "msgsnd"; }
  Subject About() const override { return Msqid(id_); }

 private:
  int id_;
  std::unique_ptr<Message> m_;
  int flags_;
};

class MsgrcvCall : public BlockingCall {
 public:
  MsgrcvCall(int id, size_t max, long type, int flags)
      : id_(id), max_(max), type_(type), flags_(flags), m_(max) {}
  int Run() override {
    n_ = msgrcv(id_, m_.raw(), max_, type_, flags_);
    return n_ < 0 ? errno : 0;
  }
  Napi::Value Result(Napi::Env env) override { return MessageValue(env, m_, n_); }
  const char* Syscall() const override { return "msgrcv"; }
  Subject About() const override { return Msqid(id_); }

 private:
  int id_;
  size_t max_;
  long type_;
  int flags_;
  Message m_;
  ssize_t n_ = 0;
};

// msgsnd(msqid, type, buffer, offset, length, flags, callback) -> wait id
Napi::Value Msgsnd(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "msqid");
  auto m = ReadMessage(info, 1);
  int flags = ArgInt(info, 5, "flags");
  Napi::Function callback = ArgFunction(info, 6, "callback");
  return StartBlocking(info.Env(), std::make_unique<MsgsndCall>(id, std::move(m), flags),
                       callback);
}

// msgrcv(msqid, maxsize, type, flags, callback) -> wait id
Napi::Value Msgrcv(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "msqid");
  size_t max = ArgSize(info, 1, "maxsize");
  int type = ArgInt(info, 2, "type");
  int flags = ArgInt(info, 3, "flags");
  Napi::Function callback = ArgFunction(info, 4, "callback");
  return StartBlocking(info.Env(), std::make_unique<MsgrcvCall>(id, max, type, flags), callback);
}

// msgctlStat(msqid) -> the msqid_ds fields, times in seconds since the epoch.
Napi::Value MsgctlStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "msqid");
  struct msqid_ds ds;
  if (msgctl(id, IPC_STAT, &ds) < 0) ThrowErrno(env, errno, "msgctl", Msqid(id));
  Napi::Object out = Napi::Object::New(env);
  out.Set("key", static_cast<double>(ds.msg_perm.__key));
  out.Set("mode", static_cast<double>(ds.msg_perm.mode));
  out.Set("uid", static_cast<double>(ds.msg_perm.uid));
  out.Set("gid", static_cast<double>(ds.msg_perm.gid));
  out.Set("cuid", static_cast<double>(ds.msg_perm.cuid));
  out.Set("cgid", static_cast<double>(ds.msg_perm.cgid));
  out.Set("cbytes", static_cast<double>(ds.__msg_cbytes));
  out.Set("qnum", static_cast<double>(ds.msg_qnum));
  out.Set("qbytes", static_cast<double>(ds.msg_qbytes));
  out.Set("lspid", static_cast<double>(ds.msg_lspid));
  out.Set("lrpid", static_cast<double>(ds.msg_lrpid));
  out.Set("stime", static_cast<double>(ds.msg_stime));
  out.Set("rtime", static_cast<double>(ds.msg_rtime));
  out.Set("ctime", static_cast<double>(ds.msg_ctime));
  return out;
}

// msgctlSetQbytes(msqid, qbytes): IPC_SET of msg_qbytes (raising it past
// /proc/sys/kernel/msgmnb needs CAP_SYS_RESOURCE).
Napi::Value MsgctlSetQbytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = ArgInt(info, 0, "msqid");
  size_t qbytes = ArgSize(info, 1, "qbytes");
  struct msqid_ds ds;
  if (msgctl(id, IPC_STAT, &ds) < 0) ThrowErrno(env, errno, "msgctl", Msqid(id));
  ds.msg_qbytes = qbytes;
  if (msgctl(id, IPC_SET, &ds) < 0) ThrowErrno(env, errno, "msgctl", Msqid(id));
  return env.Undefined();
}

Napi::Value MsgctlRemove(const Napi::CallbackInfo& info) {
  int id = ArgInt(info, 0, "msqid");
  if (msgctl(id, IPC_RMID, nullptr) < 0) ThrowErrno(info.Env(), errno, "msgctl", Msqid(id));
  return info.Env().Undefined();
}

}  // namespace

void InitMqueue(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "mqOpen", MqOpen, 6);
  Export(env, exports, "mqUnlink", MqUnlink, 1);
  Export(env, exports, "mqGetattr", MqGetattr, 1);
  Export(env, exports, "mqSetattr", MqSetattr, 2);
  Export(env, exports, "mqSend", MqSend, 5);
  Export(env, exports, "mqSendNowait", MqSendNowait, 5);
  Export(env, exports, "mqTimedsend", MqTimedsend, 6);
  Export(env, exports, "mqReceive", MqReceive, 5);
  Export(env, exports, "mqReceiveNowait", MqReceiveNowait, 5);
  Export(env, exports, "mqTimedreceive", MqTimedreceive, 6);
  Export(env, exports, "mqSendMany", MqSendMany, 8);
  Export(env, exports, "mqReceiveMany", MqReceiveMany, 9);
  Export(env, exports, "mqNotify", MqNotify, 2);
  Export(env, exports, "msgget", Msgget, 2);
  Export(env, exports, "msgsnd", Msgsnd, 7);
  Export(env, exports, "msgsndNowait", MsgsndNowait, 6);
  Export(env, exports, "msgsndSync", MsgsndSync, 6);
  Export(env, exports, "msgrcv", Msgrcv, 5);
  Export(env, exports, "msgrcvNowait", MsgrcvNowait, 6);
  Export(env, exports, "msgrcvSync", MsgrcvSync, 6);
  Export(env, exports, "msgctlStat", MsgctlStat, 1);
  Export(env, exports, "msgctlSetQbytes", MsgctlSetQbytes, 2);
  Export(env, exports, "msgctlRemove", MsgctlRemove, 1);
}

}  // namespace ipc
