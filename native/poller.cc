// The addon's poller: the selector's fd readiness (src/net/selector.ts), and
// with it the socket transports' reads and writes (recvSlab, recvU8, sendU8:
// V8 API functions, see tsyncio.h), which tell memory.cc how much fresh
// memory they take.
//
// One poller per event loop, each with an epoll set of its own, watched by
// one uv_poll_t on Node's loop, a check handle and its own JS callback. This
// is the hot path of every socket transport, so it pays for no JS object per
// fd and no MakeCallback per event: during libuv's poll phase (asyncio's
// select() returning) the epoll set's ready fds are only recorded, and the
// check handle, which libuv runs right after the poll phase, hands the whole
// batch to JS in one MakeCallback as `callback(events, n)`: events[2i] is an
// fd, events[2i+1] its mask. JS queues the fds' Handles and runs the loop
// iteration there; MakeCallback drains the microtasks after it, as Node does
// after each setImmediate.
//
// Why an epoll set of its own rather than a uv_poll_t per fd: a uv_poll_t is
// a 208-byte allocation per watched fd, and libuv spends five syscalls on a
// connection's watcher that epoll does not need (uv_poll_init's test
// ADD + DEL and FIONBIO, uv_poll_start's DEL before its ADD, the DEL when the
// handle closes): a connection's set-up and teardown made 13 syscalls, now 8
// (docs/BENCHMARKS.md). Here a watched fd is one level-triggered epoll entry
// and an 8-byte slot. An fd the kernel closed leaves the set by itself, and
// the set is this poller's alone, so a DEL of a number that was reused can
// only touch this poller's own entry for it.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "tsyncio.h"

// Node's headers define the runtime's own NAPI_VERSION; the addon keeps the
// version binding.gyp asks for.
#pragma push_macro("NAPI_VERSION")
#undef NAPI_VERSION
#include <node_buffer.h>
#include <v8.h>
#pragma pop_macro("NAPI_VERSION")

// V8's fast API calls (v8-fast-api-calls.h), for recvSlab, recvU8 and sendU8
// below. Node 20 runs V8 11.3 and supports them, but its header distribution
// leaves out v8-fast-api-calls.h. On V8 11.3 the addon uses the header when it
// is there and otherwise declares the part it uses itself: the layout of
// CTypeInfo, CFunctionInfo, CFunction, FastApiTypedArray and
// FastApiCallbackOptions, and the exported constructors of the two classes,
// as V8 11.3 has them (checked against Node 20's own fast calls in its
// binary: objdump of the CFunctionInfo instance of Buffer's indexOfNumber and
// of HistogramBase::FastRecord's fallback). Later V8 versions changed this
// API (FastApiTypedArray and the fallback flag went away), so elsewhere the
// three stay slow V8 API functions only, as before.
#if V8_MAJOR_VERSION == 11 && V8_MINOR_VERSION == 3
#define TSYNCIO_FAST_CALLS 1
#if __has_include(<v8-fast-api-calls.h>)
#include <v8-fast-api-calls.h>
#else
namespace v8 {
class CTypeInfo {
 public:
  enum class Type : uint8_t {
    kVoid, kBool, kUint8, kInt32, kUint32, kInt64, kUint64, kFloat32, kFloat64,
    kPointer, kV8Value, kSeqOneByteString, kApiObject, kAny,
  };
  static constexpr Type kCallbackOptionsType = Type(255);
  enum class SequenceType : uint8_t { kScalar, kIsSequence, kIsTypedArray, kIsArrayBuffer };
  enum class Flags : uint8_t { kNone = 0 };
  explicit constexpr CTypeInfo(Type type, SequenceType sequence_type = SequenceType::kScalar,
                               Flags flags = Flags::kNone)
      : type_(type), sequence_type_(sequence_type), flags_(flags) {}

 private:
  Type type_;
  SequenceType sequence_type_;
  Flags flags_;
};

template <typename T>
struct FastApiTypedArray {
  size_t length() const { return length_; }
  bool getStorageIfAligned(T** elements) const {
    if (reinterpret_cast<uintptr_t>(data_) % alignof(T) != 0) return false;
    *elements = static_cast<T*>(data_);
    return true;
  }

 private:
  size_t length_;
  void* data_;  // the view's first element
};

// Only `fallback` (its first member) is read or written here.
struct FastApiCallbackOptions {
  bool fallback;
};

class V8_EXPORT CFunctionInfo {
 public:
  CFunctionInfo(const CTypeInfo& return_info, unsigned int arg_count, const CTypeInfo* arg_info);

 private:
  const CTypeInfo return_info_;
  const unsigned int arg_count_;
  const CTypeInfo* arg_info_;
};

class V8_EXPORT CFunction {
 public:
  CFunction(const void* address, const CFunctionInfo* type_info);

 private:
  const void* address_;
  const CFunctionInfo* type_info_;
};
}  // namespace v8
#endif
#endif

namespace tsyncio {

namespace {

// One fd's state in a poller, indexed by fd.
struct FdSlot {
  int32_t wanted = 0;    // the mask JS asked for (0: idle)
  uint8_t state = 0;     // kNone, kIdle or kWatching
};
constexpr uint8_t kNone = 0;      // the poller does not hold the fd
constexpr uint8_t kIdle = 1;      // held (claimed), not in the epoll set
constexpr uint8_t kWatching = 2;  // in the epoll set for `wanted`

// The poll handle that watches a poller's epoll set; it closes the set once
// libuv is done with it.
struct EpollHandle {
  uv_poll_t poll;
  int epfd;
  AddonData* data;
};

struct PollerState {
  AddonData* data = nullptr;
  bool disposed = false;    // dispose() ran: no handle, no callback any more
  bool inCallback = false;  // OnCheck is calling into JS
  bool finalized = false;   // the JS object was collected during that call
  napi_env env = nullptr;
  v8::Isolate* isolate = nullptr;
  // The batch callback, called through node::MakeCallback in an async
  // context of its own with `resource` as its resource (V8 handles, not
  // N-API references: what N-API adds around each call, handle scopes on the
  // heap, reference lookups, napi_make_callback's checks, was ~950 of ~1,600
  // instructions per batch).
  v8::Global<v8::Function> callback;
  v8::Global<v8::Object> resource;
  node::async_context asyncContext = {0, 0};
  bool asyncInit = false;  // EmitAsyncInit ran: EmitAsyncDestroy is due
  int epfd = -1;                 // the epoll set
  EpollHandle* ep = nullptr;     // watches epfd on Node's loop
  std::vector<FdSlot> fds;       // indexed by fd
  // The batch of the current poll phase, in a JS Int32Array (events).
  v8::Global<v8::Int32Array> events;
  int32_t* eventsData = nullptr;
  size_t eventsCap = 0;  // in pairs
  size_t pending = 0;    // pairs recorded
  uv_check_t* check = nullptr;
};

// The live (not disposed) pollers of this thread: the main thread and each
// worker have their own environment. An fd is watched by one loop at a time,
// so Start() looks here for another poller holding the same fd.
thread_local std::vector<PollerState*>* live = nullptr;

// fd's slot, or null when the poller has none for it.
FdSlot* Find(PollerState* s, int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= s->fds.size()) return nullptr;
  FdSlot* slot = &s->fds[static_cast<size_t>(fd)];
  return slot->state == kNone ? nullptr : slot;
}

FdSlot* SlotFor(PollerState* s, int fd) {
  if (static_cast<size_t>(fd) >= s->fds.size()) s->fds.resize(static_cast<size_t>(fd) + 1);
  return &s->fds[static_cast<size_t>(fd)];
}

uint32_t EpollEvents(int events) {
  uint32_t e = 0;
  if (events & UV_READABLE) e |= EPOLLIN;
  if (events & UV_WRITABLE) e |= EPOLLOUT;
  if (events & UV_PRIORITIZED) e |= EPOLLPRI;
  return e;
}

// Takes fd out of the epoll set (it may be closed already: then the kernel
// took it out itself) and leaves its slot in `state`.
void Unwatch(PollerState* s, int fd, FdSlot* slot, uint8_t state) {
  if (slot->state == kWatching) {
    struct epoll_event dummy = {};
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &dummy);
  }
  slot->state = state;
  if (state == kNone) slot->wanted = 0;
}

// Puts fd in the epoll set for `events` (ADD, or MOD when it is there):
// 0 or -errno (EPERM for a regular file, as libuv's uv_poll_init).
int Watch(PollerState* s, int fd, FdSlot* slot, int events) {
  struct epoll_event e = {};
  e.events = EpollEvents(events);
  e.data.fd = fd;
  int op = slot->state == kWatching ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(s->epfd, op, fd, &e) != 0) {
    // The fd was closed and its number reused while watched (the kernel
    // dropped the old entry), or it is in the set already.
    int err = errno;
    if (op == EPOLL_CTL_MOD && err == ENOENT) op = EPOLL_CTL_ADD;
    else if (op == EPOLL_CTL_ADD && err == EEXIST) op = EPOLL_CTL_MOD;
    else return -err;
    if (epoll_ctl(s->epfd, op, fd, &e) != 0) return -errno;
  }
  slot->state = kWatching;
  slot->wanted = events;
  return 0;
}

// Whether fd can be watched at all (what a uv_poll_init checks): 0, or
// -EBADF / -EPERM (a regular file, a directory).
int CheckFd(PollerState* s, int fd) {
  struct epoll_event e = {};
  e.events = EPOLLIN;
  e.data.fd = fd;
  if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
    if (errno != EEXIST) return -errno;
  }
  epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &e);
  return 0;
}

// A syscall's raw result: the kernel's -errno on failure, nothing in errno.
// On x86-64 Linux it is the syscall instruction itself (glibc's syscall() is
// a call through the PLT that shuffles six arguments and turns the kernel's
// -errno into errno, which the caller then turns back: ~20 instructions).
#if defined(__x86_64__) && defined(__linux__)
long Sys6(long nr, long a, long b, long c, long d, long e, long f) {
  long r;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ __volatile__("syscall"
                       : "=a"(r)
                       : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                       : "rcx", "r11", "memory");
  return r;
}
#else
long Sys6(long nr, long a, long b, long c, long d, long e, long f) {
  long r = syscall(nr, a, b, c, d, e, f);
  return r == -1 ? -errno : r;
}
#endif

// A new Int32Array of `pairs` pairs, kept referenced as the batch buffer.
void GrowEvents(PollerState* s, size_t pairs) {
  v8::Isolate* isolate = s->isolate;
  v8::HandleScope scope(isolate);
  v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(isolate, pairs * 2 * sizeof(int32_t));
  v8::Local<v8::Int32Array> arr = v8::Int32Array::New(ab, 0, pairs * 2);
  int32_t* d = static_cast<int32_t*>(ab->Data());
  for (size_t i = 0; i < s->pending * 2; i++) d[i] = s->eventsData[i];
  s->events.Reset(isolate, arr);
  s->eventsData = d;
  s->eventsCap = pairs;
}

// The epoll set is readable: records its ready fds. An error is reported as
// ready for both directions (asyncio's selector does so; the callbacks meet
// it in their own syscalls); a hang-up as ready for what the fd waits for,
// as libuv does.
void OnEpoll(uv_poll_t* poll, int status, int) {
  PollerState* s = static_cast<PollerState*>(poll->data);
  if (s == nullptr || s->disposed || s->data->tearingDown || status < 0) return;
  struct epoll_event evs[256];
  // epoll_wait with no timeout as a raw syscall (Sys6 below): glibc's is a
  // cancellation point too. A null sigmask makes epoll_pwait epoll_wait.
  long n;
  do n = Sys6(SYS_epoll_pwait, s->epfd, reinterpret_cast<long>(evs), 256, 0, 0, 8);
  while (n == -EINTR);
  for (long i = 0; i < n; i++) {
    int fd = evs[i].data.fd;
    FdSlot* slot = Find(s, fd);
    if (slot == nullptr || slot->state != kWatching) continue;
    uint32_t ev = evs[i].events;
    int events = ((ev & EPOLLIN) ? UV_READABLE : 0) | ((ev & EPOLLOUT) ? UV_WRITABLE : 0) |
                 ((ev & EPOLLPRI) ? UV_PRIORITIZED : 0);
    if (ev & EPOLLERR) events |= UV_READABLE | UV_WRITABLE;
    else if (ev & EPOLLHUP) events |= slot->wanted;
    if (events == 0) continue;
    if (s->pending == s->eventsCap) GrowEvents(s, s->eventsCap * 2);
    s->eventsData[s->pending * 2] = fd;
    s->eventsData[s->pending * 2 + 1] = events;
    s->pending++;
  }
}

// Hands the batch to JS as callback(events, n) through node::MakeCallback,
// as CallFromLoop (addon.cc) does for N-API callers: Node drains the
// nextTicks and microtasks after it, and what it throws becomes the
// process's uncaught exception (after the callback scope has closed, as
// napi_make_callback's caller reports it).
void OnCheck(uv_check_t* check) {
  PollerState* s = static_cast<PollerState*>(check->data);
  if (s->pending == 0 || s->data->tearingDown) return;
  v8::Isolate* isolate = s->isolate;
  v8::HandleScope scope(isolate);
  v8::Local<v8::Value> argv[2] = {s->events.Get(isolate),
                                  v8::Integer::NewFromUnsigned(isolate, static_cast<uint32_t>(s->pending))};
  // The batch is consumed now: JS may start or stop watchers meanwhile.
  s->pending = 0;
  s->inCallback = true;
  v8::Local<v8::Value> exc;
  {
    v8::TryCatch tc(isolate);
    (void)node::MakeCallback(isolate, s->resource.Get(isolate), s->callback.Get(isolate), 2, argv, s->asyncContext);
    // A terminating worker's exception is not reported (N-API cannot call into JS then either).
    if (tc.HasCaught() && !tc.HasTerminated()) exc = tc.Exception();
  }
  if (!exc.IsEmpty()) napi_fatal_exception(s->env, AsNapiValue(exc));
  s->inCallback = false;
  if (s->finalized) delete s;
}

PollerState* StateOf(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  napi_get_cb_info(env, info, argc, argv, nullptr, &data);
  return static_cast<PollerState*>(data);
}

// The state and the one argument, an fd, of stop(fd) and close(fd); null
// with an exception pending when fd is not a number.
PollerState* FdArg(napi_env env, napi_callback_info info, int32_t* fd) {
  size_t argc = 1;
  napi_value argv[1];
  PollerState* s = StateOf(env, info, &argc, argv);
  return ToInt32(env, argv[0], fd, "fd") ? s : nullptr;
}

napi_value Num(napi_env env, int v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

// start(fd, events, now = true): watches fd for events (0 claims the fd and
// leaves it idle). With now false, the fd is only claimed for events (its
// loop is stopped): nothing is polled, but no other loop's poller may take
// the fd. 0 or -errno.
napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  PollerState* s = StateOf(env, info, &argc, argv);
  int32_t fd, events;
  if (!ToInt32(env, argv[0], &fd, "fd") || !ToInt32(env, argv[1], &events, "events")) return nullptr;
  bool now = true;
  if (argc >= 3) {
    napi_valuetype t = napi_undefined;
    napi_typeof(env, argv[2], &t);
    if (t != napi_undefined && napi_get_value_bool(env, argv[2], &now) != napi_ok) {
      ThrowType(env, "now must be a boolean");
      return nullptr;
    }
  }
  if (fd < 0) return Num(env, -EBADF);
  if (events & ~(UV_READABLE | UV_WRITABLE | UV_PRIORITIZED)) {
    ThrowRange(env, "events must combine READABLE, WRITABLE and PRIORITIZED");
    return nullptr;
  }
  if (s->disposed || s->data->tearingDown) return Num(env, -EBADF);
  FdSlot* slot = Find(s, fd);
  if (slot == nullptr) {
    // Another loop's poller of this thread may hold the fd: an idle one is
    // handed over (that loop claims it again if it wants the fd), one that
    // is watching is not.
    for (PollerState* o : *live) {
      if (o == s) continue;
      FdSlot* q = Find(o, fd);
      if (q == nullptr) continue;
      if (q->state == kWatching || q->wanted != 0) return Num(env, -EEXIST);
      Unwatch(o, fd, q, kNone);
    }
    if (events == 0 || !now) {
      int err = CheckFd(s, fd);
      if (err != 0) return Num(env, err);
    }
    slot = SlotFor(s, fd);
    slot->state = kIdle;
    slot->wanted = 0;
    if (events != 0 && now) {
      int err = Watch(s, fd, slot, events);
      if (err != 0) slot->state = kNone;
      return Num(env, err);
    }
  }
  if (events == 0 || !now) {
    Unwatch(s, fd, slot, kIdle);
    slot->wanted = events;
    return Num(env, 0);
  }
  if (slot->state == kWatching && slot->wanted == events) return Num(env, 0);
  int err = Watch(s, fd, slot, events);
  if (err != 0 && slot->state != kWatching) {
    // The fd went bad while idle (closed, or its number reused by a file):
    // the poller lets it go, as a failed uv_poll revalidation did.
    Unwatch(s, fd, slot, kNone);
  }
  return Num(env, err);
}

// stop(fd): stops watching, keeps the fd claimed (idle). Always 0.
napi_value Stop(napi_env env, napi_callback_info info) {
  int32_t fd;
  PollerState* s = FdArg(env, info, &fd);
  if (s == nullptr) return nullptr;
  if (FdSlot* slot = Find(s, fd)) {
    Unwatch(s, fd, slot, kIdle);
    slot->wanted = 0;
  }
  return Num(env, 0);
}

// close(fd): releases the fd (call it before the fd is closed when the fd is
// watched; an idle one can be released at any time).
napi_value Close(napi_env env, napi_callback_info info) {
  int32_t fd;
  PollerState* s = FdArg(env, info, &fd);
  if (s == nullptr) return nullptr;
  if (FdSlot* slot = Find(s, fd)) Unwatch(s, fd, slot, kNone);
  return Num(env, 0);
}

// setSlab(u8): a new read slab, which JS passes to recvSlab() from now on;
// its memory counts as fresh for memory.cc (a slab's reads stay alive in
// the Buffer views JS makes over it, not here).
napi_value SetSlab(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool isTa = false;
  if (argc >= 1) napi_is_typedarray(env, argv[0], &isTa);
  napi_typedarray_type type;
  size_t length = 0;
  if (!isTa || napi_get_typedarray_info(env, argv[0], &type, &length, nullptr, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    ThrowType(env, "setSlab(buffer): buffer must be a Uint8Array");
    return nullptr;
  }
  NoteFreshRead(length);
  return nullptr;
}

// recv(2) and send(2) on the hot path as raw syscalls: glibc's wrappers are
// thread-cancellation points, and entering and leaving one cost about 65
// instructions per echoed request (callgrind: __pthread_enable_asynccancel and
// __pthread_disable_asynccancel). Nothing in Node cancels its threads. Both
// return bytes or -errno and retry EINTR.
ssize_t RawRecv(int fd, char* p, size_t n) {
  long r;
  do r = Sys6(SYS_recvfrom, fd, reinterpret_cast<long>(p), static_cast<long>(n), 0, 0, 0);
  while (r == -EINTR);
  return r;
}
ssize_t RawSend(int fd, const char* p, size_t n) {
  long r;
  do r = Sys6(SYS_sendto, fd, reinterpret_cast<long>(p), static_cast<long>(n), MSG_NOSIGNAL, 0, 0);
  while (r == -EINTR);
  return r;
}

// The per-read and per-write calls below are V8 API functions, not N-API
// ones (why: tsyncio.h), and on Node 20 also V8 fast API calls (below): they
// need no state of the poller, so that one function of each serves every
// poller of the environment and a call site stays monomorphic.

void ThrowV8(v8::Isolate* isolate, bool range, const char* message) {
  v8::Local<v8::String> msg = v8::String::NewFromUtf8(isolate, message).ToLocalChecked();
  isolate->ThrowException(range ? v8::Exception::RangeError(msg) : v8::Exception::TypeError(msg));
}

bool AllInt32(const v8::FunctionCallbackInfo<v8::Value>& info, int from, int to) {
  if (info.Length() < to) return false;
  for (int i = from; i < to; i++)
    if (!info[i]->IsInt32()) return false;
  return true;
}

// A Uint8Array's bytes and length (false if `v` is not one).
bool U8Bytes(v8::Local<v8::Value> v, char** data, size_t* length) {
  if (!v->IsUint8Array()) return false;
  v8::Local<v8::Uint8Array> u8 = v.As<v8::Uint8Array>();
  *length = u8->ByteLength();
  *data = static_cast<char*>(u8->Buffer()->Data()) + u8->ByteOffset();
  return true;
}

// recvSlab(fd, slab, offset, big): the transports' read path. When big > 0
// and at least `big` bytes are waiting (FIONREAD), receives them into a new
// Buffer of exactly that size (at most the slab's length) and returns it:
// large reads get their own memory. Otherwise one recv(2) into the slab (a
// Uint8Array) from offset to its end, so that medium and small reads need no
// allocation of their own: bytes read (JS makes the Buffer view), 0 at EOF,
// or -errno (-EINVAL for an offset outside the slab).
void RecvSlab(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  char* slab = nullptr;
  size_t slabLen = 0;
  if (!info[0]->IsInt32() || !U8Bytes(info[1], &slab, &slabLen) || !AllInt32(info, 2, 4)) {
    ThrowV8(isolate, false, "recvSlab(fd, slab, offset, big): fd, offset and big must be integers, slab a Uint8Array");
    return;
  }
  int fd = info[0].As<v8::Int32>()->Value();
  int off = info[2].As<v8::Int32>()->Value();
  int big = info[3].As<v8::Int32>()->Value();
  if (off < 0 || static_cast<size_t>(off) >= slabLen) {
    info.GetReturnValue().Set(-EINVAL);
    return;
  }
  int avail = 0;
  if (big > 0 && ioctl(fd, FIONREAD, &avail) == 0 && avail >= big) {
    size_t want = std::min(static_cast<size_t>(avail), slabLen);
    v8::Local<v8::Object> buf;
    if (!node::Buffer::New(isolate, want).ToLocal(&buf)) return;  // the allocation's exception propagates
    NoteFreshRead(want);
    char* data = node::Buffer::Data(buf);
    ssize_t r = RawRecv(fd, data, want);
    if (r < 0) {
      info.GetReturnValue().Set(static_cast<int>(r));
    } else if (static_cast<size_t>(r) == want) {
      info.GetReturnValue().Set(buf);
    } else if (r == 0) {
      info.GetReturnValue().Set(0);
    } else {
      v8::Local<v8::Object> exact;
      if (node::Buffer::Copy(isolate, data, static_cast<size_t>(r)).ToLocal(&exact)) info.GetReturnValue().Set(exact);
    }
    return;
  }
  info.GetReturnValue().Set(static_cast<int>(RawRecv(fd, slab + off, slabLen - static_cast<size_t>(off))));
}

// The arguments (fd, u8, offset, length) of recvU8 and sendU8: the fd and
// the range's start and length. Throws and returns false when they are bad.
bool FdRange(const v8::FunctionCallbackInfo<v8::Value>& info, int* fd, char** start, size_t* len) {
  v8::Isolate* isolate = info.GetIsolate();
  char* data = nullptr;
  size_t length = 0;
  if (!info[0]->IsInt32() || !U8Bytes(info[1], &data, &length) || !AllInt32(info, 2, 4)) {
    ThrowV8(isolate, false, "(fd, u8, offset, length): bad arguments");
    return false;
  }
  int off = info[2].As<v8::Int32>()->Value();
  int n = info[3].As<v8::Int32>()->Value();
  if (off < 0 || n < 0 || static_cast<size_t>(off) + static_cast<size_t>(n) > length) {
    ThrowV8(isolate, true, "range out of the buffer's bounds");
    return false;
  }
  *fd = info[0].As<v8::Int32>()->Value();
  *start = data + off;
  *len = static_cast<size_t>(n);
  return true;
}

// (fd, u8, offset, length): `io(fd, start, len)` on the range; its bytes or -errno.
template <typename Io>
void OnFdRange(const v8::FunctionCallbackInfo<v8::Value>& info, Io io) {
  int fd;
  char* start;
  size_t len;
  if (!FdRange(info, &fd, &start, &len)) return;
  info.GetReturnValue().Set(static_cast<int>(io(fd, start, len)));
}

// recvU8(fd, u8, offset, length): recv(2) into a Uint8Array's range: bytes
// read, 0 at EOF, or -errno. The BufferedProtocol read path.
void RecvU8(const v8::FunctionCallbackInfo<v8::Value>& info) {
  OnFdRange(info, [](int fd, char* p, size_t n) { return RawRecv(fd, p, n); });
}

// sendU8(fd, u8, offset, length): send(2) with MSG_NOSIGNAL of a Uint8Array's
// range: bytes sent or -errno. The transports' write path.
void SendU8(const v8::FunctionCallbackInfo<v8::Value>& info) {
  OnFdRange(info, [](int fd, char* p, size_t n) { return RawSend(fd, p, n); });
}

#ifdef TSYNCIO_FAST_CALLS
// The same three as fast API calls: optimized code calls them directly with
// the integers and the typed array's bytes already unpacked, without the
// FunctionCallbackInfo trampoline (Builtins_CallApiCallback) or the V8 API
// calls that check and unpack each argument (callgrind on the self-driven
// echo: about 300 instructions per call together). V8 has checked that u8 is
// a Uint8Array whose buffer is neither detached nor shared; a number that is
// not an int32 never gets here as the slow path sees it (optimized code
// converts or deoptimizes). Whatever else the slow path reports (a range out
// of bounds, a large read, which allocates) falls back to it: nothing has
// been done by then, so the slow call does it all.

int32_t FastRecvSlab(v8::Local<v8::Object>, int32_t fd, const v8::FastApiTypedArray<uint8_t>& slab, int32_t off,
                     int32_t big, v8::FastApiCallbackOptions& options) {
  uint8_t* data;
  size_t len = slab.length();
  if (big > 0 || off < 0 || static_cast<size_t>(off) >= len || !slab.getStorageIfAligned(&data)) {
    options.fallback = true;
    return 0;
  }
  char* p = reinterpret_cast<char*>(data) + off;
  return static_cast<int32_t>(RawRecv(fd, p, len - static_cast<size_t>(off)));
}

// recvU8 (kSend false) and sendU8 (kSend true): the range's recv(2) or
// send(2), or a fallback when the range is out of the array's bounds.
template <bool kSend>
int32_t FastOnRange(v8::Local<v8::Object>, int32_t fd, const v8::FastApiTypedArray<uint8_t>& u8, int32_t off,
                    int32_t n, v8::FastApiCallbackOptions& options) {
  uint8_t* data;
  if (off < 0 || n < 0 || static_cast<size_t>(off) + static_cast<size_t>(n) > u8.length() ||
      !u8.getStorageIfAligned(&data)) {
    options.fallback = true;
    return 0;
  }
  char* p = reinterpret_cast<char*>(data) + off;
  size_t len = static_cast<size_t>(n);
  return static_cast<int32_t>(kSend ? RawSend(fd, p, len) : RawRecv(fd, p, len));
}

// All three take (receiver, int32 fd, Uint8Array, int32, int32, options) and
// return an int32.
const v8::CTypeInfo kFdU8IntInt[] = {
    v8::CTypeInfo(v8::CTypeInfo::Type::kV8Value),
    v8::CTypeInfo(v8::CTypeInfo::Type::kInt32),
    v8::CTypeInfo(v8::CTypeInfo::Type::kUint8, v8::CTypeInfo::SequenceType::kIsTypedArray),
    v8::CTypeInfo(v8::CTypeInfo::Type::kInt32),
    v8::CTypeInfo(v8::CTypeInfo::Type::kInt32),
    v8::CTypeInfo(v8::CTypeInfo::kCallbackOptionsType),
};
const v8::CFunctionInfo* FdU8IntIntInfo() {
  static const v8::CFunctionInfo info(v8::CTypeInfo(v8::CTypeInfo::Type::kInt32), 6, kFdU8IntInt);
  return &info;
}
#endif

// The environment's recvSlab, recvU8 and sendU8 (the same functions for each
// of its pollers), made from templates kept for the isolate's lifetime.
bool SetHotFunctions(napi_env env, napi_value target) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  AddonData* data = GetAddonData(env);
  struct Hot {
    const char* name;
    v8::FunctionCallback slow;
    const void* fast;
  };
#ifdef TSYNCIO_FAST_CALLS
  const Hot hot[] = {{"recvSlab", RecvSlab, reinterpret_cast<const void*>(FastRecvSlab)},
                     {"recvU8", RecvU8, reinterpret_cast<const void*>(FastOnRange<false>)},
                     {"sendU8", SendU8, reinterpret_cast<const void*>(FastOnRange<true>)}};
#else
  const Hot hot[] = {{"recvSlab", RecvSlab, nullptr}, {"recvU8", RecvU8, nullptr}, {"sendU8", SendU8, nullptr}};
#endif
  static_assert(sizeof(hot) / sizeof(hot[0]) == sizeof(data->hotTemplates) / sizeof(data->hotTemplates[0]),
                "one template per hot function");
  for (size_t i = 0; i < sizeof(hot) / sizeof(hot[0]); i++) {
    v8::Local<v8::FunctionTemplate> t;
    if (data->hotTemplates[i].IsEmpty()) {
#ifdef TSYNCIO_FAST_CALLS
      v8::CFunction fast(hot[i].fast, FdU8IntIntInfo());
      const v8::CFunction* c = &fast;
#else
      const v8::CFunction* c = nullptr;
#endif
      t = v8::FunctionTemplate::New(isolate, hot[i].slow, v8::Local<v8::Value>(), v8::Local<v8::Signature>(), 4,
                                    v8::ConstructorBehavior::kThrow, v8::SideEffectType::kHasSideEffect, c);
      t->SetClassName(v8::String::NewFromUtf8(isolate, hot[i].name).ToLocalChecked());
      data->hotTemplates[i].Set(isolate, t);
    } else {
      t = data->hotTemplates[i].Get(isolate);
    }
    v8::Local<v8::Function> f;
    if (!t->GetFunction(context).ToLocal(&f)) return false;
    v8::Local<v8::String> fname = v8::String::NewFromUtf8(isolate, hot[i].name).ToLocalChecked();
    if (AsV8Object(target)->Set(context, fname, f).IsNothing()) return false;
  }
  return true;
}

void OnCheckClosed(uv_handle_t* handle) {
  auto* data = static_cast<AddonData*>(handle->data);
  delete reinterpret_cast<uv_check_t*>(handle);
  data->liveHandles--;
  MaybeFinishTeardown(data);
}

// The epoll set's poll handle closed: the set itself is closed with it.
void OnEpollClosed(uv_handle_t* handle) {
  auto* h = reinterpret_cast<EpollHandle*>(handle);
  AddonData* data = h->data;
  close(h->epfd);
  delete h;
  data->liveHandles--;
  MaybeFinishTeardown(data);
}

// Releases the poller's epoll set and its poll handle, its check handle and
// its references, and takes it off the thread's list. The struct itself
// lives on until its JS object is collected: that object's functions may
// still be called.
void Dispose(PollerState* s) {
  if (s->disposed) return;
  s->disposed = true;
  s->fds.clear();
  s->fds.shrink_to_fit();
  if (s->ep != nullptr) {
    uv_poll_stop(&s->ep->poll);
    s->ep->poll.data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->ep->poll), OnEpollClosed);
    s->ep = nullptr;
    s->epfd = -1;
  }
  if (s->check != nullptr) {
    uv_check_stop(s->check);
    s->check->data = s->data;
    uv_close(reinterpret_cast<uv_handle_t*>(s->check), OnCheckClosed);
    s->check = nullptr;
  }
  if (live != nullptr) live->erase(std::remove(live->begin(), live->end(), s), live->end());
  s->pending = 0;
  // The isolate outlives every caller of Dispose (a JS call, the finalizer,
  // the environment's cleanup hook), so the handles can go in all cases.
  s->callback.Reset();
  s->resource.Reset();
  s->events.Reset();
  s->eventsData = nullptr;
  if (s->data->tearingDown) return;  // no async hook may run any more
  if (s->asyncInit) node::EmitAsyncDestroy(s->isolate, s->asyncContext);
  s->asyncInit = false;
}

// dispose(): the loop is closing. Later calls do nothing.
napi_value DisposeFn(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Dispose(StateOf(env, info, &argc, nullptr));
  return nullptr;
}

void FinalizeState(napi_env, void* data, void*) {
  auto* s = static_cast<PollerState*>(data);
  Dispose(s);
  if (s->inCallback) s->finalized = true;  // OnCheck frees it when the call returns
  else delete s;
}

// fastPoll(callback): a new poller, as {start, stop, close, dispose, setSlab,
// recvSlab, recvU8, sendU8}. Each event loop makes its own.
napi_value FastPoll(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t != napi_function) {
    ThrowType(env, "fastPoll(callback): callback must be a function");
    return nullptr;
  }
  AddonData* data = GetAddonData(env);
  if (data->tearingDown) {
    ThrowType(env, "fastPoll(callback): the environment is shutting down");
    return nullptr;
  }
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    ThrowType(env, "fastPoll(callback): epoll_create1 failed");
    return nullptr;
  }
  auto* ep = new EpollHandle();
  ep->epfd = epfd;
  ep->data = data;
  if (uv_poll_init(data->loop, &ep->poll, epfd) != 0) {
    close(epfd);
    delete ep;
    ThrowType(env, "fastPoll(callback): uv_poll_init failed");
    return nullptr;
  }
  PollerState* s = new PollerState();
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  s->data = data;
  s->env = env;
  s->isolate = isolate;
  s->epfd = epfd;
  s->ep = ep;
  ep->poll.data = s;
  uv_poll_start(&ep->poll, UV_READABLE, OnEpoll);
  uv_unref(reinterpret_cast<uv_handle_t*>(&ep->poll));
  data->liveHandles++;
  GrowEvents(s, 64);
  v8::Local<v8::Object> resource = v8::Object::New(isolate);
  s->resource.Reset(isolate, resource);
  s->asyncContext = node::EmitAsyncInit(isolate, resource, "tsyncio.poll");
  s->asyncInit = true;
  s->check = new uv_check_t();
  uv_check_init(data->loop, s->check);
  s->check->data = s;
  uv_check_start(s->check, OnCheck);
  uv_unref(reinterpret_cast<uv_handle_t*>(s->check));
  data->liveHandles++;
  s->callback.Reset(isolate, AsV8Object(argv[0]).As<v8::Function>());
  if (live == nullptr) live = new std::vector<PollerState*>();
  live->push_back(s);
  napi_value obj;
  napi_create_object(env, &obj);
  napi_add_finalizer(env, obj, s, FinalizeState, nullptr, nullptr);
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"start", Start}, {"stop", Stop}, {"close", Close}, {"dispose", DisposeFn}, {"setSlab", SetSlab}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, s, &fn);
    napi_set_named_property(env, obj, f.name, fn);
  }
  if (!SetHotFunctions(env, obj)) return nullptr;
  return obj;
}

}  // namespace

// N-API values are V8 handles underneath (Node's own napi implementation
// converts them this way); used where the addon mixes the two: V8 API
// functions on objects built with N-API, the poller's batch callback.
v8::Local<v8::Object> AsV8Object(napi_value v) {
  v8::Local<v8::Object> local;
  static_assert(sizeof(local) == sizeof(v), "napi_value is a V8 handle");
  std::memcpy(static_cast<void*>(&local), &v, sizeof(v));
  return local;
}

napi_value AsNapiValue(v8::Local<v8::Value> v) {
  napi_value out;
  static_assert(sizeof(out) == sizeof(v), "napi_value is a V8 handle");
  std::memcpy(static_cast<void*>(&out), &v, sizeof(v));
  return out;
}

bool SetV8Function(napi_value target, const char* name, v8::FunctionCallback fn, int length,
                   v8::Local<v8::Value> data) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::String> fname = v8::String::NewFromUtf8(isolate, name).ToLocalChecked();
  v8::Local<v8::Function> f;
  if (!v8::Function::New(context, fn, data, length, v8::ConstructorBehavior::kThrow).ToLocal(&f)) return false;
  f->SetName(fname);
  return !AsV8Object(target)->Set(context, fname, f).IsNothing();
}

void ClosePoller(AddonData* data) {
  if (live == nullptr) return;
  std::vector<PollerState*> all(*live);
  for (PollerState* s : all)
    if (s->data == data) Dispose(s);
}

void InitPoller(Napi::Env env, Napi::Object exports) {
  napi_value fn;
  napi_create_function(env, "fastPoll", NAPI_AUTO_LENGTH, FastPoll, nullptr, &fn);
  exports.Set("fastPoll", Napi::Value(env, fn));
}

}  // namespace tsyncio
