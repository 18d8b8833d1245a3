// Sockets (chapter 08): socket, socketpair, bind, listen, accept, connect,
// shutdown, getsockname/getpeername, setsockopt/getsockopt, sendto/recvfrom,
// sendmsg/recvmsg with SCM_RIGHTS, and getaddrinfo. Reading and writing a
// connected socket are the descriptor calls of fd.cc.
//
// Sockets stay blocking, as C's are (a C child that inherits one expects
// that): the *Nowait forms lib/socket.ts calls after readiness never block
// by their own means — MSG_DONTWAIT for the data calls, poll with no wait
// before accept, and for connect, the one call with no per-call flag,
// O_NONBLOCK for the instant of the call on a socket nobody else holds yet.
//
// An address crosses the boundary as an object: { host, port } (a numeric
// IPv4 or IPv6 address), { path } (a Unix socket in the file system) or
// { abstract } (Linux's abstract namespace: no file, a leading NUL byte).
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "modules.h"

namespace ipc {
namespace {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // for messages: 127.0.0.1:6013, '/tmp/s', @name
};

// Reads { host, port } | { path } | { abstract } at info[index].
Address ArgAddress(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  if (info.Length() <= index || !info[index].IsObject()) {
    ThrowTypeError(env, "address must be an object like { host: \"127.0.0.1\", port: 6013 }");
  }
  Napi::Object object = info[index].As<Napi::Object>();
  Address out;
  bool hasPath = object.Has("path") && !object.Get("path").IsUndefined();
  bool hasAbstract = object.Has("abstract") && !object.Get("abstract").IsUndefined();
  if (hasPath || hasAbstract) {
    Napi::Value value = object.Get(hasPath ? "path" : "abstract");
    if (!value.IsString()) ThrowTypeError(env, "address.path must be a string");
    std::string name = value.As<Napi::String>().Utf8Value();
    auto* un = reinterpret_cast<sockaddr_un*>(&out.storage);
    un->sun_family = AF_UNIX;
    size_t room = sizeof un->sun_path - (hasPath ? 1 : 0);
    size_t start = hasPath ? 0 : 1;  // the abstract namespace: a leading NUL
    if (name.size() + start > room || (hasPath && name.empty())) {
      ThrowInvalidValue(env, "a Unix socket name is 1 to " + std::to_string(room - start) +
                                 " bytes, got " + std::to_string(name.size()));
    }
    std::memcpy(un->sun_path + start, name.data(), name.size());
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + start + name.size() +
                                        (hasPath ? 1 : 0));
    out.text = hasPath ? "'" + name + "'" : "@" + name;
    return out;
  }
  Napi::Value host = object.Get("host");
  Napi::Value port = object.Get("port");
  if (!host.IsString()) ThrowTypeError(env, "address.host must be a string");
  if (!port.IsNumber()) ThrowTypeError(env, "address.port must be a number");
  double number = port.As<Napi::Number>().DoubleValue();
  if (number < 0 || number > 65535 || number != static_cast<int>(number)) {
    ThrowRangeError(env, "port must be an integer between 0 and 65535");
  }
  std::string text = host.As<Napi::String>().Utf8Value();
  auto* in4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET, text.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<uint16_t>(number));
    out.length = sizeof(sockaddr_in);
    out.text = text + ":" + std::to_string(static_cast<int>(number));
  } else if (inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(number));
    out.length = sizeof(sockaddr_in6);
    out.text = "[" + text + "]:" + std::to_string(static_cast<int>(number));
  } else {
    ThrowInvalidValue(env, "address.host must be a numeric IPv4 or IPv6 address, got \"" + text +
                               "\" (resolve names with lookup())");
  }
  return out;
}

// sockaddr -> { family: "IPv4" | "IPv6", host, port } | { family: "unix", path } | { family: "unix", abstract }.
Napi::Object ToAddress(Napi::Env env, const sockaddr_storage& storage, socklen_t length) {
  Napi::Object out = Napi::Object::New(env);
  char text[INET6_ADDRSTRLEN];
  if (storage.ss_family == AF_INET) {
    const auto* in4 = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &in4->sin_addr, text, sizeof text);
    out.Set("family", "IPv4");
    out.Set("host", text);
    out.Set("port", static_cast<double>(ntohs(in4->sin_port)));
  } else if (storage.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    out.Set("family", "IPv6");
    out.Set("host", text);
    out.Set("port", static_cast<double>(ntohs(in6->sin6_port)));
  } else if (storage.ss_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&storage);
    out.Set("family", "unix");
    size_t size = length > offsetof(sockaddr_un, sun_path) ? length - offsetof(sockaddr_un, sun_path) : 0;
    if (size > 0 && un->sun_path[0] == '\0') {
      out.Set("abstract", std::string(un->sun_path + 1, size - 1));
    } else {
      out.Set("path", std::string(un->sun_path, strnlen(un->sun_path, size)));
    }
  } else {
    out.Set("family", "unknown");
  }
  return out;
}

// The failed call's error, with Node's `address`/`port` properties when it was about one.
[[noreturn]] void ThrowAt(Napi::Env env, int err, const char* syscall, int fd,
                          const Address& address) {
  Napi::Error error = ErrnoError(env, err, syscall, Fd(fd), address.text);
  const sockaddr_storage& s = address.storage;
  if (s.ss_family == AF_INET || s.ss_family == AF_INET6) {
    char text[INET6_ADDRSTRLEN];
    const void* raw = s.ss_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(&s)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(&s)->sin6_addr);
    inet_ntop(s.ss_family, raw, text, sizeof text);
    uint16_t port = s.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&s)->sin_port
                                           : reinterpret_cast<const sockaddr_in6*>(&s)->sin6_port;
    error.Set("address", text);
    error.Set("port", static_cast<double>(ntohs(port)));
  } else if (s.ss_family == AF_UNIX) {
    error.Set("address", address.text);
  }
  throw error;
}

// socket(domain, type, protocol) -> fd, always with SOCK_CLOEXEC.
Napi::Value Socket(const Napi::CallbackInfo& info) {
  int domain = ArgInt(info, 0, "domain");
  int type = ArgInt(info, 1, "type");
  int protocol = ArgInt(info, 2, "protocol");
  int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) ThrowErrno(info.Env(), errno, "socket");
  return Napi::Number::New(info.Env(), fd);
}

// socketpair(domain, type, protocol) -> [fd, fd]: two connected ends, both directions.
Napi::Value Socketpair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int domain = ArgInt(info, 0, "domain");
  int type = ArgInt(info, 1, "type");
  int protocol = ArgInt(info, 2, "protocol");
  int fds[2];
  if (socketpair(domain, type | SOCK_CLOEXEC, protocol, fds) < 0) ThrowErrno(env, errno, "socketpair");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  Address address = ArgAddress(info, 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address.storage), address.length) < 0) {
    ThrowAt(info.Env(), errno, "bind", fd, address);
  }
  return info.Env().Undefined();
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int backlog = ArgInt(info, 1, "backlog");
  if (listen(fd, backlog) < 0) ThrowErrno(info.Env(), errno, "listen", Fd(fd));
  return info.Env().Undefined();
}

Napi::Value Accepted(Napi::Env env, int fd, const sockaddr_storage& peer, socklen_t length) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", fd);
  out.Set("address", ToAddress(env, peer, length));
  return out;
}

// accept(fd) -> { fd, address }: blocks until a connection is there.
Napi::Value Accept(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  int client = RetryEintr(
      [&] { return accept4(fd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC); });
  if (client < 0) ThrowErrno(info.Env(), errno, "accept", Fd(fd));
  return Accepted(info.Env(), client, peer, length);
}

// acceptNowait(fd) -> { fd, address } | null when no connection is waiting.
// poll first: on a blocking listener accept4 would wait (another process
// sharing the listener could take the connection between the two calls).
Napi::Value AcceptNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  struct pollfd ready = {fd, POLLIN, 0};
  int rc = RetryEintr([&] { return poll(&ready, 1, 0); });
  if (rc < 0) ThrowErrno(env, errno, "poll", Fd(fd));
  if (rc == 0) return env.Null();
  if (ready.revents & POLLNVAL) ThrowErrno(env, EBADF, "accept", Fd(fd));
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  int client = RetryEintr(
      [&] { return accept4(fd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC); });
  if (client < 0 && (errno == EAGAIN || errno == ECONNABORTED)) return env.Null();
  if (client < 0) ThrowErrno(env, errno, "accept", Fd(fd));
  return Accepted(env, client, peer, length);
}

// connect(fd, address): blocks until connected or refused.
Napi::Value Connect(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  Address address = ArgAddress(info, 1);
  if (RetryEintr([&] {
        return connect(fd, reinterpret_cast<sockaddr*>(&address.storage), address.length);
      }) < 0) {
    ThrowAt(info.Env(), errno, "connect", fd, address);
  }
  return info.Env().Undefined();
}

// connectStart(fd, address) -> "connected" | "in progress" (wait until
// writable, then connectFinish) | "again" (a Unix listener's backlog is full).
// O_NONBLOCK is set only for the call: the connection goes on in the kernel.
Napi::Value ConnectStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  Address address = ArgAddress(info, 1);
  int status = fcntl(fd, F_GETFL);
  if (status < 0) ThrowErrno(env, errno, "fcntl", Fd(fd));
  if (!(status & O_NONBLOCK) && fcntl(fd, F_SETFL, status | O_NONBLOCK) < 0) {
    ThrowErrno(env, errno, "fcntl", Fd(fd));
  }
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&address.storage), address.length);
  int err = errno;
  if (!(status & O_NONBLOCK) && fcntl(fd, F_SETFL, status) < 0) ThrowErrno(env, errno, "fcntl", Fd(fd));
  if (rc == 0) return Napi::String::New(env, "connected");
  if (err == EINPROGRESS || err == EINTR || err == EALREADY) return Napi::String::New(env, "in progress");
  if (err == EAGAIN) return Napi::String::New(env, "again");
  ThrowAt(env, err, "connect", fd, address);
}

// connectFinish(fd, address) -> false while connectStart's connection is
// still in progress, true once connected; throws its failure (SO_ERROR).
Napi::Value ConnectFinish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  Address address = ArgAddress(info, 1);
  struct pollfd ready = {fd, POLLOUT, 0};
  int rc = RetryEintr([&] { return poll(&ready, 1, 0); });
  if (rc < 0) ThrowErrno(env, errno, "poll", Fd(fd));
  if (rc == 0) return Napi::Boolean::New(env, false);
  int err = 0;
  socklen_t length = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) ThrowErrno(env, errno, "getsockopt", Fd(fd));
  if (err != 0) ThrowAt(env, err, "connect", fd, address);
  return Napi::Boolean::New(env, true);
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int how = ArgInt(info, 1, "how");
  if (shutdown(fd, how) < 0) ThrowErrno(info.Env(), errno, "shutdown", Fd(fd));
  return info.Env().Undefined();
}

Napi::Value Name(const Napi::CallbackInfo& info, bool peer) {
  int fd = ArgFd(info, 0);
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  auto* raw = reinterpret_cast<sockaddr*>(&storage);
  if ((peer ? getpeername(fd, raw, &length) : getsockname(fd, raw, &length)) < 0) {
    ThrowErrno(info.Env(), errno, peer ? "getpeername" : "getsockname", Fd(fd));
  }
  return ToAddress(info.Env(), storage, length);
}

Napi::Value Getsockname(const Napi::CallbackInfo& info) { return Name(info, false); }
Napi::Value Getpeername(const Napi::CallbackInfo& info) { return Name(info, true); }

// setsockoptInt(fd, level, name, value): the options whose value is an int.
Napi::Value SetsockoptInt(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int level = ArgInt(info, 1, "level");
  int name = ArgInt(info, 2, "name");
  int value = ArgInt(info, 3, "value");
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) {
    ThrowErrno(info.Env(), errno, "setsockopt", Fd(fd));
  }
  return info.Env().Undefined();
}

Napi::Value GetsockoptInt(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int level = ArgInt(info, 1, "level");
  int name = ArgInt(info, 2, "name");
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd, level, name, &value, &length) < 0) {
    ThrowErrno(info.Env(), errno, "getsockopt", Fd(fd));
  }
  return Napi::Number::New(info.Env(), value);
}

// setLinger(fd, on, seconds): SO_LINGER; on with 0 seconds makes close() send a reset.
Napi::Value SetLinger(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  struct linger linger = {ArgBool(info, 1, "on") ? 1 : 0, ArgInt(info, 2, "seconds")};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0) {
    ThrowErrno(info.Env(), errno, "setsockopt", Fd(fd), "SO_LINGER");
  }
  return info.Env().Undefined();
}

// setMembership(fd, group, join): IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP on any interface.
Napi::Value SetMembership(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  std::string group = ArgString(info, 1, "group");
  bool join = ArgBool(info, 2, "join");
  ip_mreqn request{};
  if (inet_pton(AF_INET, group.c_str(), &request.imr_multiaddr) != 1) {
    ThrowInvalidValue(env, "group must be a numeric IPv4 address, got \"" + group + "\"");
  }
  request.imr_address.s_addr = htonl(INADDR_ANY);
  if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request,
                 sizeof request) < 0) {
    ThrowErrno(env, errno, "setsockopt", Fd(fd), join ? "IP_ADD_MEMBERSHIP " + group : "IP_DROP_MEMBERSHIP " + group);
  }
  return env.Undefined();
}

// sendtoNowait(fd, buffer, offset, length, address) -> bytes sent, or -1 (would block).
Napi::Value SendtoNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  Address address = ArgAddress(info, 4);
  ssize_t n = RetryEintr([&] {
    return sendto(fd, range.data, range.length, MSG_DONTWAIT | MSG_NOSIGNAL,
                  reinterpret_cast<sockaddr*>(&address.storage), address.length);
  });
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -1);
  if (n < 0) ThrowAt(env, errno, "sendto", fd, address);
  return Napi::Number::New(env, static_cast<double>(n));
}

// recvNowait(fd, buffer, offset, length) -> bytes (0: the peer closed), or
// -1 (would block); sendNowait(...) -> bytes sent, or -1. A connected
// socket's one call each (read/write's nowait forms try RWF_NOWAIT first):
// the hot path of a server on the event loop (lib/rpc-server.ts).
Napi::Value RecvNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n = RetryEintr([&] { return recv(fd, range.data, range.length, MSG_DONTWAIT); });
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -1);
  if (n < 0) ThrowErrno(env, errno, "recv", Fd(fd));
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value SendNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  ssize_t n = RetryEintr(
      [&] { return send(fd, range.data, range.length, MSG_DONTWAIT | MSG_NOSIGNAL); });
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -1);
  if (n < 0) ThrowErrno(env, errno, "send", Fd(fd));
  return Napi::Number::New(env, static_cast<double>(n));
}

// recvfromNowait(fd, buffer, offset, length) -> { bytes, truncated, address } | null.
// MSG_TRUNC: `truncated` says the datagram was longer than the buffer (the rest is lost).
Napi::Value RecvfromNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  ssize_t n = RetryEintr([&] {
    return recvfrom(fd, range.data, range.length, MSG_DONTWAIT | MSG_TRUNC,
                    reinterpret_cast<sockaddr*>(&peer), &length);
  });
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return env.Null();
  if (n < 0) ThrowErrno(env, errno, "recvfrom", Fd(fd));
  Napi::Object out = Napi::Object::New(env);
  out.Set("bytes", static_cast<double>(static_cast<size_t>(n) < range.length ? n : range.length));
  out.Set("truncated", static_cast<size_t>(n) > range.length);
  out.Set("address", ToAddress(env, peer, length));
  return out;
}

// sendFdsNowait(fd, buffer, offset, length, fds) -> bytes sent, or -1: sendmsg
// with the descriptors in an SCM_RIGHTS message (at least one byte of data
// carries them).
Napi::Value SendFdsNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  std::vector<int> fds = ArgIntArray(info, 4, "fds", 0);
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  iovec iov = {range.data, range.length};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  if (!fds.empty()) {
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n = RetryEintr([&] { return sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL); });
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -1);
  if (n < 0) ThrowErrno(env, errno, "sendmsg", Fd(fd));
  return Napi::Number::New(env, static_cast<double>(n));
}

// recvFdsNowait(fd, buffer, offset, length) -> { bytes, fds } | null: recvmsg
// taking SCM_RIGHTS descriptors (each new, with FD_CLOEXEC).
Napi::Value RecvFdsNowait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  ByteRange range = ArgByteRange(info, 1);
  constexpr size_t kMaxFds = 16;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  iovec iov = {range.data, range.length};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n = RetryEintr([&] { return recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC); });
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return env.Null();
  if (n < 0) ThrowErrno(env, errno, "recvmsg", Fd(fd));
  Napi::Array fds = Napi::Array::New(env);
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int received;
      std::memcpy(&received, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
      fds.Set(fds.Length(), received);
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("bytes", static_cast<double>(n));
  out.Set("fds", fds);
  out.Set("truncated", (message.msg_flags & MSG_CTRUNC) != 0);
  return out;
}

// The code Node gives each getaddrinfo failure (EAI_NONAME is its ENOTFOUND).
std::string EaiCode(int rc) {
  switch (rc) {
    case EAI_NONAME:
    case EAI_NODATA:
      return "ENOTFOUND";
    case EAI_AGAIN:
      return "EAI_AGAIN";
    case EAI_FAIL:
      return "EAI_FAIL";
    case EAI_FAMILY:
      return "EAI_FAMILY";
    case EAI_MEMORY:
      return "EAI_MEMORY";
    default:
      return "EAI_" + std::to_string(-rc);
  }
}

// getaddrinfo(host, family) -> numeric addresses, in the resolver's order
// (family: 0 any, AF_INET, AF_INET6). /etc/hosts answers "localhost" offline.
Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = ArgString(info, 0, "host");
  int family = ArgInt(info, 1, "family");
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc == EAI_SYSTEM) ThrowErrno(env, errno, "getaddrinfo", Hostname(host));
  if (rc != 0) {
    Napi::Error error = CodedError(env, EaiCode(rc), rc, "getaddrinfo", Hostname(host), "",
                                   gai_strerror(rc));
    throw error;
  }
  Napi::Array out = Napi::Array::New(env);
  for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    sockaddr_storage storage{};
    std::memcpy(&storage, entry->ai_addr, entry->ai_addrlen);
    out.Set(out.Length(), ToAddress(env, storage, entry->ai_addrlen).Get("host"));
  }
  freeaddrinfo(found);
  return out;
}

}  // namespace

void InitSocket(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "socket", Socket, 3);
  Export(env, exports, "socketpair", Socketpair, 3);
  Export(env, exports, "bind", Bind, 2);
  Export(env, exports, "listen", Listen, 2);
  Export(env, exports, "accept", Accept, 1);
  Export(env, exports, "acceptNowait", AcceptNowait, 1);
  Export(env, exports, "connect", Connect, 2);
  Export(env, exports, "connectStart", ConnectStart, 2);
  Export(env, exports, "connectFinish", ConnectFinish, 2);
  Export(env, exports, "shutdown", Shutdown, 2);
  Export(env, exports, "getsockname", Getsockname, 1);
  Export(env, exports, "getpeername", Getpeername, 1);
  Export(env, exports, "setsockoptInt", SetsockoptInt, 4);
  Export(env, exports, "getsockoptInt", GetsockoptInt, 3);
  Export(env, exports, "setLinger", SetLinger, 3);
  Export(env, exports, "setMembership", SetMembership, 3);
  Export(env, exports, "sendtoNowait", SendtoNowait, 5);
  Export(env, exports, "recvfromNowait", RecvfromNowait, 4);
  Export(env, exports, "recvNowait", RecvNowait, 4);
  Export(env, exports, "sendNowait", SendNowait, 4);
  Export(env, exports, "sendFdsNowait", SendFdsNowait, 5);
  Export(env, exports, "recvFdsNowait", RecvFdsNowait, 4);
  Export(env, exports, "getaddrinfo", Getaddrinfo, 2);
}

}  // namespace ipc
