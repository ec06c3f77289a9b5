// Raw socket, pipe and fd syscalls. Each returns a value >= 0 (or a Buffer,
// an array, an address) on success and -errno on failure, so that EAGAIN on
// the hot path costs no exception; only wrong argument types throw.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <vector>

#include "tsyncio.h"

namespace tsyncio {

namespace {

using Info = Napi::CallbackInfo;

inline Napi::Value V(napi_env env, napi_value v) { return Napi::Value(env, v); }
inline Napi::Value Result(napi_env env, ssize_t r) { return V(env, r < 0 ? Errno(env, errno) : Int(env, r)); }

// Argument readers: false means a JS exception is pending.
inline bool I32(const Info& info, size_t i, int32_t* out, const char* what) {
  return ToInt32(info.Env(), info[i], out, what);
}
inline bool OptI32(const Info& info, size_t i, int32_t* out, int32_t dflt, const char* what) {
  if (i >= info.Length() || info[i].IsUndefined()) {
    *out = dflt;
    return true;
  }
  return I32(info, i, out, what);
}
inline bool Fd(const Info& info, int32_t* fd) { return I32(info, 0, fd, "fd"); }

// A byte range [offset, offset + length) of a buffer argument, checked.
bool Range(const Info& info, size_t bufIdx, size_t offIdx, size_t lenIdx, char** p, size_t* n) {
  napi_env env = info.Env();
  char* data;
  size_t total;
  if (!GetBytes(env, info[bufIdx], &data, &total, "buffer")) return false;
  int64_t off = 0, len = static_cast<int64_t>(total);
  if (offIdx < info.Length() && !info[offIdx].IsUndefined() && !ToInt64(env, info[offIdx], &off, "offset")) return false;
  if (off < 0 || static_cast<uint64_t>(off) > total) {
    ThrowRange(env, "offset is out of the buffer's bounds");
    return false;
  }
  len = static_cast<int64_t>(total) - off;
  if (lenIdx < info.Length() && !info[lenIdx].IsUndefined()) {
    int64_t want;
    if (!ToInt64(env, info[lenIdx], &want, "length")) return false;
    if (want < 0 || want > len) {
      ThrowRange(env, "length is out of the buffer's bounds");
      return false;
    }
    len = want;
  }
  *p = data + off;
  *n = static_cast<size_t>(len);
  return true;
}

// recv() buffers: the kernel writes into a warm per-thread block, and the
// bytes received are copied into a Buffer of exactly their size. Measured on
// Node 20 (socketpair and TCP loopback, n = 256 KiB): handing a fresh
// malloc'd block to JS as an external buffer shrunk with realloc cost 3-10x
// more at 64-200 KiB (page faults on fresh mappings, finalizers) than this
// copy, and a view on a larger buffer would pin the unused part.
constexpr size_t kCacheMax = 1024 * 1024;
thread_local char* tlBlock = nullptr;
thread_local size_t tlBlockSize = 0;

char* Block(size_t n) {
  if (tlBlockSize < n) {
    free(tlBlock);
    tlBlock = static_cast<char*>(malloc(n));
    tlBlockSize = tlBlock ? n : 0;
  }
  return tlBlock;
}

napi_value CopyOf(napi_env env, const void* data, size_t n) {
  napi_value buf;
  napi_create_buffer_copy(env, n, data, nullptr, &buf);
  return buf;
}

napi_value TakeBlock(napi_env env, size_t n) {
  napi_value buf = CopyOf(env, tlBlock, n);
  // A one-off huge read should not stay resident.
  if (tlBlockSize > kCacheMax) {
    free(tlBlock);
    tlBlock = nullptr;
    tlBlockSize = 0;
  }
  return buf;
}

napi_value EmptyBuffer(napi_env env) {
  napi_value buf;
  napi_create_buffer(env, 0, nullptr, &buf);
  return buf;
}

bool Size(const Info& info, size_t i, size_t* n) {
  int64_t v;
  if (!ToInt64(info.Env(), info[i], &v, "n")) return false;
  if (v < 0) {
    ThrowRange(info.Env(), "n must not be negative");
    return false;
  }
  *n = static_cast<size_t>(v);
  return true;
}

// Up to n bytes through `io(block)` into the thread's block: a Buffer of
// exactly the bytes read (empty at EOF and for n = 0) or -errno.
template <typename Io>
Napi::Value ReadBuffer(napi_env env, size_t n, Io io) {
  if (n == 0) return V(env, EmptyBuffer(env));
  char* b = Block(n);
  if (!b) return V(env, Errno(env, ENOMEM));
  ssize_t r = NoIntr([&] { return io(b); });
  if (r < 0) return V(env, Errno(env, errno));
  if (r == 0) return V(env, EmptyBuffer(env));
  return V(env, TakeBlock(env, static_cast<size_t>(r)));
}

// (fd, buffer, offset, length[, flags]): `io(fd, p, n, flags)` on the
// buffer's range (flags 0 without `hasFlags`): bytes moved or -errno.
template <typename Io>
Napi::Value RangeIo(const Info& info, bool hasFlags, Io io) {
  int32_t fd, flags = 0;
  char* p;
  size_t n;
  if (!Fd(info, &fd) || !Range(info, 1, 2, 3, &p, &n) || (hasFlags && !OptI32(info, 4, &flags, 0, "flags"))) return {};
  return Result(info.Env(), NoIntr([&] { return io(fd, p, n, flags); }));
}

// recvfrom(2) into [p, p + n): `[first(bytes), address]` or -errno.
template <typename First>
Napi::Value RecvfromPair(napi_env env, int fd, char* p, size_t n, int flags, First first) {
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  ssize_t r = NoIntr([&] { return recvfrom(fd, p, n, flags, reinterpret_cast<sockaddr*>(&ss), &len); });
  if (r < 0) return V(env, Errno(env, errno));
  napi_value data = first(r);
  return V(env, Pair(env, data, FormatSockaddr(env, reinterpret_cast<sockaddr*>(&ss), len)));
}

thread_local sockaddr_storage tlAcceptAddr;
thread_local socklen_t tlAcceptLen = 0;

// --- sockets -------------------------------------------------------------

Napi::Value Socket(const Info& info) {
  napi_env env = info.Env();
  int32_t family, type, proto;
  if (!I32(info, 0, &family, "family") || !I32(info, 1, &type, "type") || !OptI32(info, 2, &proto, 0, "proto")) return {};
  int fd = socket(family, type | SOCK_CLOEXEC, proto);
  return Result(env, fd);
}

Napi::Value Socketpair(const Info& info) {
  napi_env env = info.Env();
  int32_t family, type, proto;
  if (!OptI32(info, 0, &family, AF_UNIX, "family") || !OptI32(info, 1, &type, SOCK_STREAM, "type") ||
      !OptI32(info, 2, &proto, 0, "proto"))
    return {};
  int sv[2];
  if (socketpair(family, type | SOCK_CLOEXEC, proto, sv) < 0) return V(env, Errno(env, errno));
  return V(env, Pair(env, Int(env, sv[0]), Int(env, sv[1])));
}

// (fd, family, address): `op(fd, sockaddr, len)`, which returns 0 or
// -errno, once the address is parsed (a bad one is its -errno).
template <typename Op>
Napi::Value OnAddress(const Info& info, Op op) {
  napi_env env = info.Env();
  int32_t fd, family;
  if (!Fd(info, &fd) || !I32(info, 1, &family, "family")) return {};
  sockaddr_storage ss;
  socklen_t len;
  int r = ParseSockaddr(env, family, info[2], &ss, &len);
  if (r == kPending) return {};
  return V(env, Int(env, r < 0 ? r : op(fd, reinterpret_cast<sockaddr*>(&ss), len)));
}

Napi::Value Bind(const Info& info) {
  return OnAddress(info, [](int fd, const sockaddr* sa, socklen_t len) { return bind(fd, sa, len) < 0 ? -errno : 0; });
}

Napi::Value Listen(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, backlog;
  if (!Fd(info, &fd) || !OptI32(info, 1, &backlog, SOMAXCONN, "backlog")) return {};
  return Result(env, listen(fd, backlog));
}

// accept and acceptedAddress run once per connection a server accepts: V8
// API functions, not N-API ones (why: tsyncio.h), as setsockopt below. Callgrind over a burst of
// 2,000 connections (accept.ts's loop) counted acceptedAddress at ~4,700
// instructions per connection through N-API (napi_set_element's generic
// property store, inet_ntop's sprintf) and the N-API accept at ~500.

void ThrowArg(v8::Isolate* isolate, bool range, const char* what) {
  char msg[96];
  snprintf(msg, sizeof msg, range ? "%s is out of range" : "%s must be a number", what);
  v8::Local<v8::String> m = v8::String::NewFromUtf8(isolate, msg).ToLocalChecked();
  isolate->ThrowException(range ? v8::Exception::RangeError(m) : v8::Exception::TypeError(m));
}

// ToInt32's checks (sockaddr.cc) on a V8 value: false with an exception set
// when `v` is not a finite number in int32's range; an int32 passes at once.
bool V8Int32(v8::Isolate* isolate, v8::Local<v8::Value> v, int32_t* out, const char* what) {
  if (v->IsInt32()) {
    *out = v.As<v8::Int32>()->Value();
    return true;
  }
  if (!v->IsNumber()) {
    ThrowArg(isolate, false, what);
    return false;
  }
  double d = v.As<v8::Number>()->Value();
  if (!std::isfinite(d) || d < INT32_MIN || d > INT32_MAX) {
    ThrowArg(isolate, true, what);
    return false;
  }
  *out = static_cast<int32_t>(d);
  return true;
}

// accept(fd, flags = 0): accept4(2) with SOCK_CLOEXEC added; the new fd or
// -errno. The peer's address is kept for acceptedAddress().
void Accept(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int32_t fd, flags = 0;
  if (!V8Int32(isolate, info[0], &fd, "fd")) return;
  if (info.Length() > 1 && !info[1]->IsUndefined() && !V8Int32(isolate, info[1], &flags, "flags")) return;
  tlAcceptLen = sizeof tlAcceptAddr;
  int r = static_cast<int>(NoIntr([&] {
    return accept4(fd, reinterpret_cast<sockaddr*>(&tlAcceptAddr), &tlAcceptLen, flags | SOCK_CLOEXEC);
  }));
  if (r < 0) {
    tlAcceptLen = 0;
    r = -errno;
  }
  info.GetReturnValue().Set(r);
}

// inet_ntop(AF_INET, ...)'s text ("a.b.c.d", no leading zeros) without its
// sprintf; returns the length written into out (at least 16 bytes).
int FormatIPv4(const in_addr& a, char* out) {
  const unsigned char* b = reinterpret_cast<const unsigned char*>(&a.s_addr);
  char* p = out;
  for (int i = 0; i < 4; i++) {
    unsigned v = b[i];
    if (i > 0) *p++ = '.';
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  }
  return static_cast<int>(p - out);
}

// acceptedAddress(): the address of the last accept()ed peer on this thread,
// as FormatSockaddr (sockaddr.cc) gives it: [host, port] for AF_INET,
// [host, port, flowinfo, scopeId] for AF_INET6, the name for AF_UNIX, null
// when there is none.
void AcceptedAddress(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  const sockaddr* sa = reinterpret_cast<const sockaddr*>(&tlAcceptAddr);
  socklen_t len = tlAcceptLen;
  if (len < static_cast<socklen_t>(sizeof(sa_family_t))) {
    info.GetReturnValue().SetNull();
    return;
  }
  switch (sa->sa_family) {
    case AF_INET: {
      auto* in = reinterpret_cast<const sockaddr_in*>(sa);
      char host[INET_ADDRSTRLEN];
      int n = FormatIPv4(in->sin_addr, host);
      v8::Local<v8::Value> items[2] = {
          v8::String::NewFromOneByte(isolate, reinterpret_cast<const uint8_t*>(host), v8::NewStringType::kNormal, n)
              .ToLocalChecked(),
          v8::Integer::NewFromUnsigned(isolate, ntohs(in->sin_port)),
      };
      info.GetReturnValue().Set(v8::Array::New(isolate, items, 2));
      return;
    }
    case AF_INET6: {
      auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
      char host[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      v8::Local<v8::Value> items[4] = {
          v8::String::NewFromOneByte(isolate, reinterpret_cast<const uint8_t*>(host)).ToLocalChecked(),
          v8::Integer::NewFromUnsigned(isolate, ntohs(in6->sin6_port)),
          v8::Integer::NewFromUnsigned(isolate, ntohl(in6->sin6_flowinfo)),
          v8::Integer::NewFromUnsigned(isolate, in6->sin6_scope_id),
      };
      info.GetReturnValue().Set(v8::Array::New(isolate, items, 4));
      return;
    }
    case AF_UNIX: {
      auto* un = reinterpret_cast<const sockaddr_un*>(sa);
      size_t n = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      if (n > sizeof un->sun_path) n = sizeof un->sun_path;
      // A path name stops at its terminator; an abstract name (leading NUL)
      // is exactly the bytes the kernel reported.
      if (n > 0 && un->sun_path[0] != 0) n = strnlen(un->sun_path, n);
      v8::Local<v8::String> name;
      if (!v8::String::NewFromUtf8(isolate, un->sun_path, v8::NewStringType::kNormal, static_cast<int>(n)).ToLocal(&name)) return;
      info.GetReturnValue().Set(name);
      return;
    }
    default:
      info.GetReturnValue().SetNull();
  }
}

// A connect interrupted by a signal goes on in the kernel; wait for it as
// PEP 475 does instead of connecting again (which would fail with EALREADY).
int FinishInterruptedConnect(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK)) return -EINPROGRESS;
  pollfd p = {fd, POLLOUT, 0};
  if (NoIntr([&] { return poll(&p, 1, -1); }) < 0) return -errno;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
  return -err;
}

Napi::Value Connect(const Info& info) {
  return OnAddress(info, [](int fd, const sockaddr* sa, socklen_t len) {
    if (connect(fd, sa, len) == 0) return 0;
    return errno == EINTR ? FinishInterruptedConnect(fd) : -errno;
  });
}

Napi::Value Recv(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, flags;
  size_t n;
  if (!Fd(info, &fd) || !Size(info, 1, &n) || !OptI32(info, 2, &flags, 0, "flags")) return {};
  return ReadBuffer(env, n, [&](char* b) { return recv(fd, b, n, flags); });
}

Napi::Value RecvInto(const Info& info) {
  return RangeIo(info, true, [](int fd, char* p, size_t n, int flags) { return recv(fd, p, n, flags); });
}

Napi::Value Recvfrom(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, flags;
  size_t n;
  if (!Fd(info, &fd) || !Size(info, 1, &n) || !OptI32(info, 2, &flags, 0, "flags")) return {};
  char* b = Block(n ? n : 1);
  if (!b) return V(env, Errno(env, ENOMEM));
  return RecvfromPair(env, fd, b, n, flags, [&](ssize_t r) {
    return r == 0 ? EmptyBuffer(env) : TakeBlock(env, static_cast<size_t>(r));
  });
}

Napi::Value RecvfromInto(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, flags;
  char* p;
  size_t n;
  if (!Fd(info, &fd) || !Range(info, 1, 2, 3, &p, &n) || !OptI32(info, 4, &flags, 0, "flags")) return {};
  return RecvfromPair(env, fd, p, n, flags, [&](ssize_t r) { return Int(env, r); });
}

Napi::Value Send(const Info& info) {
  // MSG_NOSIGNAL: a closed peer is EPIPE, never SIGPIPE.
  return RangeIo(info, true, [](int fd, char* p, size_t n, int flags) { return send(fd, p, n, flags | MSG_NOSIGNAL); });
}

Napi::Value Sendto(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, family, flags;
  char* p;
  size_t n;
  if (!Fd(info, &fd) || !Range(info, 1, SIZE_MAX, SIZE_MAX, &p, &n) || !I32(info, 2, &family, "family") ||
      !OptI32(info, 4, &flags, 0, "flags"))
    return {};
  sockaddr_storage ss;
  socklen_t len;
  int r = ParseSockaddr(env, family, info[3], &ss, &len);
  if (r == kPending) return {};
  if (r < 0) return V(env, Int(env, r));
  return Result(env, NoIntr([&] {
    return sendto(fd, p, n, flags | MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&ss), len);
  }));
}

// Gathers an array of buffers into iovecs (at most IOV_MAX: the caller sees
// a short write and sends the rest later, as with any partial write).
bool Gather(const Info& info, size_t idx, std::vector<iovec>* iov) {
  napi_env env = info.Env();
  bool isArray;
  uint32_t count;
  if (napi_is_array(env, info[idx], &isArray) != napi_ok || !isArray) {
    ThrowType(env, "buffers must be an array");
    return false;
  }
  napi_get_array_length(env, info[idx], &count);
  if (count > IOV_MAX) count = IOV_MAX;
  iov->resize(count);
  for (uint32_t i = 0; i < count; i++) {
    napi_value el;
    napi_get_element(env, info[idx], i, &el);
    char* p;
    size_t n;
    if (!GetBytes(env, el, &p, &n, "each buffer")) return false;
    (*iov)[i].iov_base = p;
    (*iov)[i].iov_len = n;
  }
  return true;
}

Napi::Value Sendmsg(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, flags;
  thread_local std::vector<iovec> iov;
  if (!Fd(info, &fd) || !Gather(info, 1, &iov) || !OptI32(info, 2, &flags, 0, "flags")) return {};
  msghdr msg = {};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  return Result(env, NoIntr([&] { return sendmsg(fd, &msg, flags | MSG_NOSIGNAL); }));
}

Napi::Value Writev(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  thread_local std::vector<iovec> iov;
  if (!Fd(info, &fd) || !Gather(info, 1, &iov)) return {};
  return Result(env, NoIntr([&] { return writev(fd, iov.data(), static_cast<int>(iov.size())); }));
}

Napi::Value Shutdown(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, how;
  if (!Fd(info, &fd) || !I32(info, 1, &how, "how")) return {};
  return Result(env, shutdown(fd, how));
}

Napi::Value Close(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  // On Linux the fd is released even when close reports EINTR; retrying
  // could close an fd another thread just opened.
  if (close(fd) < 0 && errno != EINTR) return V(env, Errno(env, errno));
  return V(env, Int(env, 0));
}

Napi::Value Dup(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  return Result(env, fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

Napi::Value Sockname(const Info& info, bool peer) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
               : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r < 0) return V(env, Errno(env, errno));
  // An unbound AF_UNIX socket reports only its family: its name is "".
  if (len <= sizeof(sa_family_t) && ss.ss_family == AF_UNIX) {
    napi_value s;
    napi_create_string_utf8(env, "", 0, &s);
    return V(env, s);
  }
  return V(env, FormatSockaddr(env, reinterpret_cast<sockaddr*>(&ss), len));
}
Napi::Value Getsockname(const Info& info) { return Sockname(info, false); }
Napi::Value Getpeername(const Info& info) { return Sockname(info, true); }

// setsockopt(fd, level, option, value): an int option (a boolean is 1 or 0);
// 0 or -errno. A V8 API function like accept: every TCP transport sets
// TCP_NODELAY through it once, where N-API's argument checks cost ~1,200
// instructions per connection (callgrind).
void Setsockopt(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  int32_t fd, level, opt, value;
  if (!V8Int32(isolate, info[0], &fd, "fd") || !V8Int32(isolate, info[1], &level, "level") ||
      !V8Int32(isolate, info[2], &opt, "option"))
    return;
  if (info[3]->IsBoolean()) value = info[3].As<v8::Boolean>()->Value() ? 1 : 0;
  else if (!V8Int32(isolate, info[3], &value, "value")) return;
  info.GetReturnValue().Set(setsockopt(fd, level, opt, &value, sizeof value) < 0 ? -errno : 0);
}

Napi::Value Getsockopt(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, level, opt;
  if (!Fd(info, &fd) || !I32(info, 1, &level, "level") || !I32(info, 2, &opt, "option")) return {};
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, level, opt, &value, &len) < 0) return V(env, Errno(env, errno));
  return V(env, Int(env, value));
}

Napi::Value SetsockoptBytes(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, level, opt;
  char* p;
  size_t n;
  if (!Fd(info, &fd) || !I32(info, 1, &level, "level") || !I32(info, 2, &opt, "option") ||
      !Range(info, 3, SIZE_MAX, SIZE_MAX, &p, &n))
    return {};
  return Result(env, setsockopt(fd, level, opt, p, static_cast<socklen_t>(n)));
}

Napi::Value GetsockoptBytes(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, level, opt, buflen;
  if (!Fd(info, &fd) || !I32(info, 1, &level, "level") || !I32(info, 2, &opt, "option") ||
      !I32(info, 3, &buflen, "buflen"))
    return {};
  if (buflen <= 0 || buflen > 1024) {
    ThrowRange(env, "getsockopt buflen out of range");
    return {};
  }
  char buf[1024];
  socklen_t len = static_cast<socklen_t>(buflen);
  if (getsockopt(fd, level, opt, buf, &len) < 0) return V(env, Errno(env, errno));
  return V(env, CopyOf(env, buf, len));
}

Napi::Value SetNonblocking(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  bool on = info[1].ToBoolean().Value();
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return V(env, Errno(env, errno));
  int want = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (want != flags && fcntl(fd, F_SETFL, want) < 0) return V(env, Errno(env, errno));
  return V(env, Int(env, 0));
}

Napi::Value GetNonblocking(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return V(env, Errno(env, errno));
  return V(env, Int(env, (flags & O_NONBLOCK) ? 1 : 0));
}

Napi::Value FdType(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  struct stat st;
  if (fstat(fd, &st) < 0) return V(env, Errno(env, errno));
  const char* kind = S_ISSOCK(st.st_mode)  ? "socket"
                     : S_ISFIFO(st.st_mode) ? "fifo"
                     : S_ISCHR(st.st_mode)  ? "chr"
                     : S_ISREG(st.st_mode)  ? "reg"
                     : S_ISDIR(st.st_mode)  ? "dir"
                     : S_ISBLK(st.st_mode)  ? "blk"
                                            : "other";
  return Napi::String::New(env, kind);
}

Napi::Value SocketInfo(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  if (!Fd(info, &fd)) return {};
  const int opts[3] = {SO_DOMAIN, SO_TYPE, SO_PROTOCOL};
  napi_value arr;
  napi_create_array_with_length(env, 3, &arr);
  for (int i = 0; i < 3; i++) {
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, opts[i], &v, &len) < 0) return V(env, Errno(env, errno));
    napi_set_element(env, arr, i, Int(env, v));
  }
  return V(env, arr);
}

// --- pipes and plain fds ---------------------------------------------------

Napi::Value Read(const Info& info) {
  napi_env env = info.Env();
  int32_t fd;
  size_t n;
  if (!Fd(info, &fd) || !Size(info, 1, &n)) return {};
  return ReadBuffer(env, n, [&](char* b) { return read(fd, b, n); });
}

Napi::Value ReadInto(const Info& info) {
  return RangeIo(info, false, [](int fd, char* p, size_t n, int) { return read(fd, p, n); });
}

Napi::Value Write(const Info& info) {
  return RangeIo(info, false, [](int fd, char* p, size_t n, int) { return write(fd, p, n); });
}

Napi::Value Pipe(const Info& info) {
  napi_env env = info.Env();
  int32_t flags;
  if (!OptI32(info, 0, &flags, 0, "flags")) return {};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | flags) < 0) return V(env, Errno(env, errno));
  return V(env, Pair(env, Int(env, fds[0]), Int(env, fds[1])));
}

// Waits (blocking the thread) for POLL* events on one fd: the timeouts of the
// blocking Socket API. Returns the revents, 0 on timeout, or -errno.
Napi::Value PollOne(const Info& info) {
  napi_env env = info.Env();
  int32_t fd, events, timeoutMs;
  if (!Fd(info, &fd) || !I32(info, 1, &events, "events") || !I32(info, 2, &timeoutMs, "timeout")) return {};
  pollfd p = {fd, static_cast<short>(events), 0};
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int left = timeoutMs;
  for (;;) {
    int r = poll(&p, 1, left);
    if (r >= 0) return V(env, Int(env, r == 0 ? 0 : p.revents));
    if (errno != EINTR) return V(env, Errno(env, errno));
    if (timeoutMs < 0) continue;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    left = spent >= timeoutMs ? 0 : static_cast<int>(timeoutMs - spent);
  }
}

// The size of a packed address of `family` (0 when it has none).
size_t PackedSize(int family) {
  return family == AF_INET ? sizeof(in_addr) : family == AF_INET6 ? sizeof(in6_addr) : 0;
}

Napi::Value InetPton(const Info& info) {
  napi_env env = info.Env();
  int32_t family;
  if (!I32(info, 0, &family, "family")) return {};
  if (!info[1].IsString()) {
    ThrowType(env, "address must be a string");
    return {};
  }
  std::string s = info[1].As<Napi::String>().Utf8Value();
  unsigned char out[sizeof(in6_addr)];
  size_t size = PackedSize(family);
  if (size == 0) return V(env, Errno(env, EAFNOSUPPORT));
  if (inet_pton(family, s.c_str(), out) != 1) return V(env, Errno(env, EINVAL));
  return V(env, CopyOf(env, out, size));
}

Napi::Value InetNtop(const Info& info) {
  napi_env env = info.Env();
  int32_t family;
  char* p;
  size_t n;
  if (!I32(info, 0, &family, "family") || !Range(info, 1, SIZE_MAX, SIZE_MAX, &p, &n)) return {};
  size_t size = PackedSize(family);
  if (size == 0) return V(env, Errno(env, EAFNOSUPPORT));
  if (n != size) return V(env, Errno(env, EINVAL));
  char out[INET6_ADDRSTRLEN];
  if (!inet_ntop(family, p, out, sizeof out)) return V(env, Errno(env, errno));
  return Napi::String::New(env, out);
}

}  // namespace

void InitSocket(Napi::Env env, Napi::Object exports) {
  struct Fn {
    const char* name;
    Napi::Value (*fn)(const Info&);
  };
  static const Fn fns[] = {
      {"socket", Socket},         {"socketpair", Socketpair},
      {"bind", Bind},             {"listen", Listen},
      {"connect", Connect},       {"recv", Recv},
      {"recvInto", RecvInto},     {"recvfrom", Recvfrom},
      {"recvfromInto", RecvfromInto}, {"send", Send},
      {"sendto", Sendto},         {"sendmsg", Sendmsg},
      {"writev", Writev},         {"shutdown", Shutdown},
      {"close", Close},           {"dup", Dup},
      {"getsockname", Getsockname}, {"getpeername", Getpeername},
      {"getsockopt", Getsockopt},
      {"setsockoptBytes", SetsockoptBytes}, {"getsockoptBytes", GetsockoptBytes},
      {"setNonblocking", SetNonblocking}, {"getNonblocking", GetNonblocking},
      {"fdType", FdType},         {"socketInfo", SocketInfo},
      {"read", Read},             {"readInto", ReadInto},
      {"write", Write},           {"pipe", Pipe},
      {"pollOne", PollOne},       {"inetPton", InetPton},
      {"inetNtop", InetNtop},
  };
  for (const Fn& f : fns) exports.Set(f.name, Napi::Function::New(env, f.fn, f.name));
  const struct {
    const char* name;
    v8::FunctionCallback fn;
  } hot[] = {{"accept", Accept}, {"acceptedAddress", AcceptedAddress}, {"setsockopt", Setsockopt}};
  for (const auto& f : hot)
    if (!SetV8Function(exports, f.name, f.fn, 2)) return;

  Napi::Object c = exports.Get("constants").As<Napi::Object>();
  auto set = [&](const char* name, int64_t v) { c.Set(name, Napi::Number::New(env, static_cast<double>(v))); };
#define K(name) set(#name, name)
  K(AF_UNSPEC); K(AF_INET); K(AF_INET6); K(AF_UNIX); K(AF_NETLINK); K(AF_PACKET);
  K(SOCK_STREAM); K(SOCK_DGRAM); K(SOCK_RAW); K(SOCK_SEQPACKET); K(SOCK_RDM);
  K(SOCK_NONBLOCK); K(SOCK_CLOEXEC);
  K(SOL_SOCKET); K(SOL_TCP);
  K(SO_REUSEADDR); K(SO_REUSEPORT); K(SO_BROADCAST); K(SO_KEEPALIVE); K(SO_ERROR);
  K(SO_TYPE); K(SO_RCVBUF); K(SO_SNDBUF); K(SO_RCVLOWAT); K(SO_SNDLOWAT); K(SO_LINGER);
  K(SO_DOMAIN); K(SO_PROTOCOL); K(SO_ACCEPTCONN); K(SO_OOBINLINE); K(SO_DONTROUTE);
  K(SO_RCVTIMEO); K(SO_SNDTIMEO); K(SO_PASSCRED); K(SO_PEERCRED); K(SO_BINDTODEVICE);
  K(SO_PRIORITY); K(SO_MARK);
  K(IPPROTO_IP); K(IPPROTO_IPV6); K(IPPROTO_TCP); K(IPPROTO_UDP); K(IPPROTO_ICMP);
  K(IPPROTO_ICMPV6); K(IPPROTO_RAW); K(IPPROTO_SCTP);
  K(IP_TOS); K(IP_TTL); K(IP_MULTICAST_IF); K(IP_MULTICAST_TTL); K(IP_MULTICAST_LOOP);
  K(IP_ADD_MEMBERSHIP); K(IP_DROP_MEMBERSHIP); K(IP_RECVTOS); K(IP_HDRINCL);
  K(IPV6_V6ONLY); K(IPV6_JOIN_GROUP); K(IPV6_LEAVE_GROUP); K(IPV6_MULTICAST_HOPS);
  K(IPV6_MULTICAST_IF); K(IPV6_MULTICAST_LOOP); K(IPV6_UNICAST_HOPS); K(IPV6_TCLASS);
  K(TCP_NODELAY); K(TCP_MAXSEG); K(TCP_CORK); K(TCP_KEEPIDLE); K(TCP_KEEPINTVL);
  K(TCP_KEEPCNT); K(TCP_QUICKACK); K(TCP_DEFER_ACCEPT); K(TCP_FASTOPEN); K(TCP_USER_TIMEOUT);
  K(TCP_NOTSENT_LOWAT); K(TCP_CONGESTION);
  K(SHUT_RD); K(SHUT_WR); K(SHUT_RDWR);
  K(MSG_OOB); K(MSG_PEEK); K(MSG_DONTROUTE); K(MSG_DONTWAIT); K(MSG_WAITALL); K(MSG_TRUNC);
  K(MSG_CTRUNC); K(MSG_EOR); K(MSG_NOSIGNAL); K(MSG_MORE); K(MSG_CMSG_CLOEXEC); K(MSG_ERRQUEUE);
  K(MSG_CONFIRM);
  K(SOMAXCONN);
  K(INADDR_ANY); K(INADDR_BROADCAST); K(INADDR_LOOPBACK); K(INADDR_NONE);
  K(POLLIN); K(POLLPRI); K(POLLOUT); K(POLLERR); K(POLLHUP); K(POLLNVAL); K(POLLRDHUP);
  K(O_NONBLOCK); K(O_CLOEXEC);
#undef K
}

}  // namespace tsyncio
