// What the files of tsyncio's native core share: the per-environment state,
// argument and result helpers, and each concern's entry points.
//
// Two calling conventions, on purpose. Most functions the addon exports are
// N-API (node-addon-api's Napi::CallbackInfo or the C napi_callback_info).
// The ones called per request or per connection are V8 FunctionCallbacks:
// the poller's recvSlab, recvU8 and sendU8 (poller.cc), the socket
// transports' read and write; accept, acceptedAddress and setsockopt
// (socket.cc), once or twice per accepted connection; and callQuietly
// (quiet-call.cc), once per loop iteration. callgrind on a 1 KiB echo
// (bench/callgrind-echo.sh) counted N-API's argument marshalling
// (napi_get_cb_info, napi_get_value_int32, napi_create_int32 and the callback
// wrapper) at ~900 of ~3900 user-space instructions per request, and on a
// burst of connections ~1,200 per setsockopt and ~4,700 per accept. V8's API
// has no stable ABI, which costs nothing here: the addon is always built at
// install (scripts/build-native.mjs) against the headers of the Node that
// runs it. Everything else stays on N-API, where that cost does not show.
// On Node 20 (V8 11.3) recvSlab, recvU8 and sendU8 are V8 fast API calls
// besides (poller.cc): optimized code calls a plain C function with the
// arguments unpacked, which saved ~800 of ~4,300 instructions per round trip
// of the self-driven 1 KiB echo (client and server in one process).
#pragma once

#include <napi.h>
#include <v8.h>
#include <sys/socket.h>
#include <uv.h>

#include <cerrno>
#include <cstdint>

namespace tsyncio {

struct DnsRequest;

// One per Node environment (the main thread and each worker). It outlives the
// N-API instance data while uv handles or requests still point at it: Node
// may finalize instance data before the close callbacks of the async cleanup
// hook have run, so whoever drops the last reference frees it.
struct AddonData {
  uv_loop_t* loop = nullptr;
  napi_env env = nullptr;
  DnsRequest* requests = nullptr;  // every DNS request in flight
  size_t liveHandles = 0;          // handles whose close callback has not run
  size_t liveRequests = 0;
  bool instanceAlive = true;
  bool tearingDown = false;  // no JS may run any more
  bool hookPending = false;  // registered and not yet finished
  napi_async_cleanup_hook_handle cleanupHook = nullptr;
  // The poller's recvSlab, recvU8 and sendU8 (poller.cc), made once per
  // environment so that every poller shares the same three functions.
  v8::Eternal<v8::FunctionTemplate> hotTemplates[3];
};

AddonData* GetAddonData(napi_env env);
// Called when a handle or request is released; frees the data or finishes
// the cleanup hook when it was the last.
void MaybeFinishTeardown(AddonData* data);

// Sets an exception and returns false when `value` is not a number.
bool ToInt32(napi_env env, napi_value value, int32_t* out, const char* what);
bool ToInt64(napi_env env, napi_value value, int64_t* out, const char* what);
// Any TypedArray, DataView or ArrayBuffer: its bytes. Sets a TypeError otherwise.
bool GetBytes(napi_env env, napi_value value, char** data, size_t* length, const char* what);
// Runs a syscall again while a signal interrupts it (EINTR).
template <typename F>
inline ssize_t NoIntr(F f) {
  ssize_t r;
  do r = f();
  while (r == -1 && errno == EINTR);
  return r;
}

// `-errno` as a JS number.
inline napi_value Errno(napi_env env, int err) {
  napi_value v;
  napi_create_int32(env, -err, &v);
  return v;
}
inline napi_value Int(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}
inline napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}
// A two-element array.
inline napi_value Pair(napi_env env, napi_value a, napi_value b) {
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, a);
  napi_set_element(env, arr, 1, b);
  return arr;
}
// Calls `fn` (with the global object as `this`) from a libuv callback
// through MakeCallback, so that Node drains the nextTicks and microtasks
// after it as it does after its own I/O callbacks; an exception it throws
// becomes the process's uncaught exception. The caller opens a handle scope.
void CallFromLoop(napi_env env, napi_async_context context, napi_value fn, size_t argc, const napi_value* argv);

void ThrowType(napi_env env, const char* message);
void ThrowRange(napi_env env, const char* message);

// Python's address forms (NativeAddress in src/internal/native.ts) <->
// struct sockaddr.
// Returns 0, a negative errno (-EINVAL for a host that is not numeric,
// -ENAMETOOLONG for an AF_UNIX path that does not fit, -EAFNOSUPPORT for a
// family it cannot express), or kPending when a JS exception was set.
constexpr int kPending = 1;
int ParseSockaddr(napi_env env, int family, napi_value addr, sockaddr_storage* ss, socklen_t* len);
// null for an empty address (len 0) and for families it does not know.
napi_value FormatSockaddr(napi_env env, const sockaddr* sa, socklen_t len);

// Registration of each concern's exports.
void InitSocket(Napi::Env env, Napi::Object exports);
void InitSendfile(Napi::Env env, Napi::Object exports);
void InitDns(Napi::Env env, Napi::Object exports, AddonData* data);
void InitPoller(Napi::Env env, Napi::Object exports);
void InitQuietCall(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports, AddonData* data);
// memory.cc: what the environment's trim of freed memory needs to know. Reads
// call NoteFreshRead with each block of fresh memory they take (a read slab, a
// large read's own Buffer): while reads or GCs go on, nothing is trimmed.
void NoteFreshRead(size_t bytes);
// At the environment's cleanup: stops its trim timer and GC callback.
void CloseMemory(AddonData* data);

// The V8 object behind an N-API value (poller.cc), to attach functions written
// against the V8 API where N-API costs too much or cannot say what is needed.
v8::Local<v8::Object> AsV8Object(napi_value v);
// The N-API value of a V8 handle (poller.cc), the other way round.
napi_value AsNapiValue(v8::Local<v8::Value> v);
// Sets `name` on `target` to a V8 FunctionCallback (poller.cc) of the given
// length, with `data` as its FunctionCallbackInfo::Data(); false when V8
// threw (the exception is pending).
bool SetV8Function(napi_value target, const char* name, v8::FunctionCallback fn, int length,
                   v8::Local<v8::Value> data = v8::Local<v8::Value>());
// Teardown of what each concern holds on the loop.
void ClosePoller(AddonData* data);
void CancelAllRequests(AddonData* data);

}  // namespace tsyncio
