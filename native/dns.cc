// getaddrinfo/getnameinfo with every AI_* and NI_* flag: asynchronously on
// libuv's thread pool (Node's dns.lookup cannot express AI_PASSIVE,
// AI_CANONNAME, services or NI_* flags), and synchronously for the blocking
// Socket API. Failures are reported as {eai, errno, message}: `eai` is the
// platform's own EAI_* value (negative on glibc, as Python's gaierror.errno),
// `errno` is the system error when eai is EAI_SYSTEM (else 0).
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <string>

#include "tsyncio.h"

namespace tsyncio {

struct DnsRequest {
  uv_getaddrinfo_t gai;
  uv_getnameinfo_t gni;
  AddonData* data = nullptr;
  Napi::FunctionReference callback;
  napi_async_context asyncContext = nullptr;
  DnsRequest* prev = nullptr;
  DnsRequest* next = nullptr;
  bool isNameInfo = false;
};

namespace {

// libuv reports EAI_* as UV_EAI_* and EAI_SYSTEM as -errno; this undoes it.
void Untranslate(int status, int* eai, int* sysErrno) {
  *sysErrno = 0;
  switch (status) {
    case 0: *eai = 0; return;
#ifdef EAI_ADDRFAMILY
    case UV_EAI_ADDRFAMILY: *eai = EAI_ADDRFAMILY; return;
#endif
    case UV_EAI_AGAIN: *eai = EAI_AGAIN; return;
    case UV_EAI_BADFLAGS: *eai = EAI_BADFLAGS; return;
#ifdef EAI_CANCELED
    case UV_EAI_CANCELED: *eai = EAI_CANCELED; return;
#endif
    case UV_EAI_FAIL: *eai = EAI_FAIL; return;
    case UV_EAI_FAMILY: *eai = EAI_FAMILY; return;
    case UV_EAI_MEMORY: *eai = EAI_MEMORY; return;
#ifdef EAI_NODATA
    case UV_EAI_NODATA: *eai = EAI_NODATA; return;
#endif
    case UV_EAI_NONAME: *eai = EAI_NONAME; return;
    case UV_EAI_OVERFLOW: *eai = EAI_OVERFLOW; return;
    case UV_EAI_SERVICE: *eai = EAI_SERVICE; return;
    case UV_EAI_SOCKTYPE: *eai = EAI_SOCKTYPE; return;
    default:
      *eai = EAI_SYSTEM;
      *sysErrno = -status;
      return;
  }
}

napi_value Failure(napi_env env, int eai, int sysErrno) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_int32(env, eai, &v);
  napi_set_named_property(env, obj, "eai", v);
  napi_create_int32(env, sysErrno, &v);
  napi_set_named_property(env, obj, "errno", v);
  const char* msg = eai == EAI_SYSTEM && sysErrno ? strerror(sysErrno) : gai_strerror(eai);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "message", v);
  return obj;
}

// A libuv status as the failure JS sees.
napi_value StatusFailure(napi_env env, int status) {
  int eai, sysErrno;
  Untranslate(status, &eai, &sysErrno);
  return Failure(env, eai, sysErrno);
}

// ParseSockaddr's error (the address is not numeric, or of a family it
// cannot express) as getnameinfo's failure.
napi_value AddressFailure(napi_env env, int r) {
  return Failure(env, r == -EAFNOSUPPORT ? EAI_FAMILY : EAI_NONAME, 0);
}

napi_value Results(napi_env env, const addrinfo* res) {
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
    napi_value addr = FormatSockaddr(env, ai->ai_addr, ai->ai_addrlen);
    napi_valuetype t;
    napi_typeof(env, addr, &t);
    if (t == napi_null) continue;  // a family Python's address forms cannot express
    napi_value entry, v;
    napi_create_array_with_length(env, 5, &entry);
    napi_create_int32(env, ai->ai_family, &v);
    napi_set_element(env, entry, 0, v);
    napi_create_int32(env, ai->ai_socktype, &v);
    napi_set_element(env, entry, 1, v);
    napi_create_int32(env, ai->ai_protocol, &v);
    napi_set_element(env, entry, 2, v);
    napi_create_string_utf8(env, ai->ai_canonname ? ai->ai_canonname : "", NAPI_AUTO_LENGTH, &v);
    napi_set_element(env, entry, 3, v);
    napi_set_element(env, entry, 4, addr);
    napi_set_element(env, arr, i++, entry);
  }
  return arr;
}

void Link(AddonData* data, DnsRequest* r) {
  r->next = data->requests;
  if (data->requests) data->requests->prev = r;
  data->requests = r;
  data->liveRequests++;
}

void Release(DnsRequest* r) {
  AddonData* data = r->data;
  if (r->prev) r->prev->next = r->next;
  else data->requests = r->next;
  if (r->next) r->next->prev = r->prev;
  if (data->tearingDown) {
    // The environment may already be gone: touch nothing of N-API.
    r->callback.SuppressDestruct();
  } else if (r->asyncContext) {
    napi_async_destroy(data->env, r->asyncContext);
  }
  delete r;
  data->liveRequests--;
  MaybeFinishTeardown(data);
}

void Deliver(DnsRequest* r, napi_value a0, napi_value a1) {
  napi_env env = r->data->env;
  napi_value argv[2] = {a0, a1};
  CallFromLoop(env, r->asyncContext, r->callback.Value(), 2, argv);
}

napi_value HostService(napi_env env, const char* host, const char* service) {
  napi_value h, s;
  napi_create_string_utf8(env, host, NAPI_AUTO_LENGTH, &h);
  napi_create_string_utf8(env, service, NAPI_AUTO_LENGTH, &s);
  return Pair(env, h, s);
}

// Ends a request: its callback gets (null, result(env)) on success, else
// (failure, null); nothing runs when the environment is going away.
template <typename Result>
void Complete(DnsRequest* r, int status, Result result) {
  if (!r->data->tearingDown) {
    napi_env env = r->data->env;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value nul;
    napi_get_null(env, &nul);
    if (status == 0) Deliver(r, nul, result(env));
    else Deliver(r, StatusFailure(env, status), nul);
    napi_close_handle_scope(env, scope);
  }
  Release(r);
}

void OnAddrinfo(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  Complete(static_cast<DnsRequest*>(req->data), status, [res](napi_env env) { return Results(env, res); });
  if (res) uv_freeaddrinfo(res);
}

void OnNameinfo(uv_getnameinfo_t* req, int status, const char* host, const char* service) {
  Complete(static_cast<DnsRequest*>(req->data), status,
           [host, service](napi_env env) { return HostService(env, host, service); });
}

// Queues a request on libuv's thread pool: `start(loop, r)` makes the libuv
// call. null when queued (`callback` then runs once, as `resource` for async
// hooks), else the failure at once (the callback is not called).
template <typename Start>
Napi::Value Queue(Napi::Env env, const char* resource, bool isNameInfo, Napi::Value callback, Start start) {
  AddonData* data = GetAddonData(env);
  auto* r = new DnsRequest();
  r->data = data;
  r->isNameInfo = isNameInfo;
  r->gai.data = r;
  r->gni.data = r;
  int status = start(data->loop, r);
  if (status != 0) {
    delete r;
    return Napi::Value(env, StatusFailure(env, status));
  }
  r->callback = Napi::Persistent(callback.As<Napi::Function>());
  napi_value name;
  napi_create_string_latin1(env, resource, NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &r->asyncContext);
  Link(data, r);
  return env.Null();
}

// host: string | null; port: string | number | null. False: exception set.
bool HostPort(const Napi::CallbackInfo& info, std::string* host, bool* hasHost, std::string* port, bool* hasPort) {
  napi_env env = info.Env();
  Napi::Value h = info[0], p = info[1];
  *hasHost = !(h.IsNull() || h.IsUndefined());
  if (*hasHost) {
    if (!h.IsString()) {
      ThrowType(env, "host must be a string or null");
      return false;
    }
    *host = h.As<Napi::String>().Utf8Value();
  }
  *hasPort = !(p.IsNull() || p.IsUndefined());
  if (*hasPort) {
    if (p.IsString()) {
      *port = p.As<Napi::String>().Utf8Value();
    } else {
      int64_t n;
      if (!ToInt64(env, p, &n, "port")) return false;
      *port = std::to_string(n);
    }
  }
  return true;
}

bool Hints(const Napi::CallbackInfo& info, addrinfo* hints) {
  napi_env env = info.Env();
  int32_t family = 0, type = 0, proto = 0, flags = 0;
  auto opt = [&](size_t i, int32_t* out, const char* what) {
    return i >= info.Length() || info[i].IsUndefined() || ToInt32(env, info[i], out, what);
  };
  if (!opt(2, &family, "family") || !opt(3, &type, "type") || !opt(4, &proto, "proto") || !opt(5, &flags, "flags"))
    return false;
  memset(hints, 0, sizeof *hints);
  hints->ai_family = family;
  hints->ai_socktype = type;
  hints->ai_protocol = proto;
  hints->ai_flags = flags;
  return true;
}

Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  std::string host, port;
  bool hasHost, hasPort;
  addrinfo hints;
  if (!HostPort(info, &host, &hasHost, &port, &hasPort) || !Hints(info, &hints)) return {};
  if (!info[6].IsFunction()) {
    ThrowType(env, "callback must be a function");
    return {};
  }
  // libuv rejects this with UV_EINVAL; getaddrinfo(3) says EAI_NONAME.
  if (!hasHost && !hasPort) return Napi::Value(env, Failure(env, EAI_NONAME, 0));
  return Queue(env, "tsyncio.getaddrinfo", false, info[6], [&](uv_loop_t* loop, DnsRequest* r) {
    return uv_getaddrinfo(loop, &r->gai, OnAddrinfo, hasHost ? host.c_str() : nullptr,
                          hasPort ? port.c_str() : nullptr, &hints);
  });
}

Napi::Value GetaddrinfoSync(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  std::string host, port;
  bool hasHost, hasPort;
  addrinfo hints;
  if (!HostPort(info, &host, &hasHost, &port, &hasPort) || !Hints(info, &hints)) return {};
  addrinfo* res = nullptr;
  int eai = getaddrinfo(hasHost ? host.c_str() : nullptr, hasPort ? port.c_str() : nullptr, &hints, &res);
  if (eai != 0) return Napi::Value(env, Failure(env, eai, eai == EAI_SYSTEM ? errno : 0));
  napi_value out = Results(env, res);
  freeaddrinfo(res);
  return Napi::Value(env, out);
}

// (addr, family, flags): the sockaddr, or a failure when the host is not
// numeric (Python's getnameinfo resolves it with AI_NUMERICHOST only).
int NameinfoArgs(const Napi::CallbackInfo& info, sockaddr_storage* ss, int32_t* flags) {
  napi_env env = info.Env();
  int32_t family;
  if (!ToInt32(env, info[1], &family, "family")) return kPending;
  *flags = 0;
  if (info.Length() > 2 && !info[2].IsUndefined() && !ToInt32(env, info[2], flags, "flags")) return kPending;
  socklen_t len;
  return ParseSockaddr(env, family, info[0], ss, &len);
}

Napi::Value Getnameinfo(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  sockaddr_storage ss;
  int32_t flags;
  int r = NameinfoArgs(info, &ss, &flags);
  if (r == kPending) return {};
  if (!info[3].IsFunction()) {
    ThrowType(env, "callback must be a function");
    return {};
  }
  if (r < 0) return Napi::Value(env, AddressFailure(env, r));
  return Queue(env, "tsyncio.getnameinfo", true, info[3], [&](uv_loop_t* loop, DnsRequest* req) {
    return uv_getnameinfo(loop, &req->gni, OnNameinfo, reinterpret_cast<sockaddr*>(&ss), flags);
  });
}

Napi::Value GetnameinfoSync(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  sockaddr_storage ss;
  int32_t flags;
  int r = NameinfoArgs(info, &ss, &flags);
  if (r == kPending) return {};
  if (r < 0) return Napi::Value(env, AddressFailure(env, r));
  char host[NI_MAXHOST], service[NI_MAXSERV];
  socklen_t len = ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  int eai = getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, service, sizeof service, flags);
  if (eai != 0) return Napi::Value(env, Failure(env, eai, eai == EAI_SYSTEM ? errno : 0));
  return Napi::Value(env, HostService(env, host, service));
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  int32_t code;
  if (!ToInt32(info.Env(), info[0], &code, "code")) return {};
  return Napi::String::New(info.Env(), gai_strerror(code));
}

}  // namespace

void CancelAllRequests(AddonData* data) {
  for (DnsRequest* r = data->requests; r; r = r->next) {
    uv_cancel(r->isNameInfo ? reinterpret_cast<uv_req_t*>(&r->gni) : reinterpret_cast<uv_req_t*>(&r->gai));
  }
}

void InitDns(Napi::Env env, Napi::Object exports, AddonData*) {
  exports.Set("getaddrinfo", Napi::Function::New(env, Getaddrinfo, "getaddrinfo"));
  exports.Set("getaddrinfoSync", Napi::Function::New(env, GetaddrinfoSync, "getaddrinfoSync"));
  exports.Set("getnameinfo", Napi::Function::New(env, Getnameinfo, "getnameinfo"));
  exports.Set("getnameinfoSync", Napi::Function::New(env, GetnameinfoSync, "getnameinfoSync"));
  exports.Set("gaiStrerror", Napi::Function::New(env, GaiStrerror, "gaiStrerror"));

  Napi::Object c = exports.Get("constants").As<Napi::Object>();
  auto set = [&](const char* name, int v) { c.Set(name, Napi::Number::New(env, v)); };
#define K(name) set(#name, name)
  K(AI_PASSIVE); K(AI_CANONNAME); K(AI_NUMERICHOST); K(AI_NUMERICSERV); K(AI_ADDRCONFIG);
  K(AI_V4MAPPED); K(AI_ALL);
  K(NI_NUMERICHOST); K(NI_NUMERICSERV); K(NI_NOFQDN); K(NI_NAMEREQD); K(NI_DGRAM);
  K(NI_MAXHOST); K(NI_MAXSERV);
  K(EAI_AGAIN); K(EAI_BADFLAGS); K(EAI_FAIL); K(EAI_FAMILY); K(EAI_MEMORY); K(EAI_NONAME);
  K(EAI_SERVICE); K(EAI_SOCKTYPE); K(EAI_SYSTEM); K(EAI_OVERFLOW);
#ifdef EAI_ADDRFAMILY
  K(EAI_ADDRFAMILY);
#endif
#ifdef EAI_NODATA
  K(EAI_NODATA);
#endif
#ifdef EAI_CANCELED
  K(EAI_CANCELED);
#endif
#undef K
}

}  // namespace tsyncio
