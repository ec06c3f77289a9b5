// Argument helpers and the conversion between Python's address forms and
// struct sockaddr, shared by the socket and DNS functions.
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include <cmath>

#include "tsyncio.h"

namespace tsyncio {

void ThrowType(napi_env env, const char* message) { napi_throw_type_error(env, nullptr, message); }
void ThrowRange(napi_env env, const char* message) { napi_throw_range_error(env, nullptr, message); }

// `value` as a number in [lo, hi]; else a TypeError ("<what> must be a
// number") or a RangeError ("<what> is out of range"), and false.
static bool NumberIn(napi_env env, napi_value value, double lo, double hi, double* out, const char* what) {
  double d;
  char msg[96];
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    snprintf(msg, sizeof msg, "%s must be a number", what);
    ThrowType(env, msg);
    return false;
  }
  if (!std::isfinite(d) || d < lo || d > hi) {
    snprintf(msg, sizeof msg, "%s is out of range", what);
    ThrowRange(env, msg);
    return false;
  }
  *out = d;
  return true;
}

bool ToInt32(napi_env env, napi_value value, int32_t* out, const char* what) {
  double d;
  if (!NumberIn(env, value, INT32_MIN, INT32_MAX, &d, what)) return false;
  *out = static_cast<int32_t>(d);
  return true;
}

bool ToInt64(napi_env env, napi_value value, int64_t* out, const char* what) {
  // 2^53: beyond it a double no longer names every integer.
  constexpr double kMax = 9007199254740992.0;
  double d;
  if (!NumberIn(env, value, -kMax, kMax, &d, what)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

bool GetBytes(napi_env env, napi_value value, char** data, size_t* length, const char* what) {
  bool is;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count;
    void* ptr;
    if (napi_get_typedarray_info(env, value, &type, &count, &ptr, nullptr, nullptr) != napi_ok) return false;
    size_t width = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: width = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: width = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: width = 8; break;
      default: break;
    }
    *data = static_cast<char*>(ptr);
    *length = count * width;
    return true;
  }
  if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    void* ptr;
    napi_get_dataview_info(env, value, length, &ptr, nullptr, nullptr);
    *data = static_cast<char*>(ptr);
    return true;
  }
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    void* ptr;
    napi_get_arraybuffer_info(env, value, &ptr, length);
    *data = static_cast<char*>(ptr);
    return true;
  }
  char msg[128];
  snprintf(msg, sizeof msg, "%s must be a Uint8Array, another TypedArray, a DataView or an ArrayBuffer", what);
  ThrowType(env, msg);
  return false;
}

// Reads a JS string into buf (NUL-terminated). Returns its byte length, or
// -1 (with a TypeError) when it is not a string, or -2 when it does not fit.
static ssize_t ReadUtf8(napi_env env, napi_value v, char* buf, size_t cap, const char* what) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a string", what);
    ThrowType(env, msg);
    return -1;
  }
  if (len + 1 > cap) return -2;
  napi_get_value_string_utf8(env, v, buf, cap, &len);
  return static_cast<ssize_t>(len);
}

static bool GetElement(napi_env env, napi_value arr, uint32_t i, napi_value* out) {
  return napi_get_element(env, arr, i, out) == napi_ok;
}

static int ParsePort(napi_env env, napi_value v, uint16_t* port) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    ThrowType(env, "port must be a number");
    return kPending;
  }
  if (!(d >= 0 && d <= 65535) || d != std::floor(d)) {
    ThrowRange(env, "port must be 0-65535.");
    return kPending;
  }
  *port = htons(static_cast<uint16_t>(d));
  return 0;
}

int ParseSockaddr(napi_env env, int family, napi_value addr, sockaddr_storage* ss, socklen_t* len) {
  memset(ss, 0, sizeof(sockaddr_in6));
  if (family == AF_UNIX) {
    auto* un = reinterpret_cast<sockaddr_un*>(ss);
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    napi_valuetype t;
    napi_typeof(env, addr, &t);
    size_t n;
    if (t == napi_string) {
      // +1: room for the terminator napi writes; the kernel does not need it.
      char buf[sizeof un->sun_path + 1];
      ssize_t r = ReadUtf8(env, addr, buf, sizeof buf, "AF_UNIX address");
      if (r == -1) return kPending;
      if (r == -2) return -ENAMETOOLONG;
      n = static_cast<size_t>(r);
      memcpy(un->sun_path, buf, n);
    } else {
      char* data;
      if (!GetBytes(env, addr, &data, &n, "AF_UNIX address")) return kPending;
      if (n > sizeof un->sun_path) return -ENAMETOOLONG;
      memcpy(un->sun_path, data, n);
    }
    *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
    return 0;
  }
  if (family != AF_INET && family != AF_INET6) return -EAFNOSUPPORT;
  bool isArray;
  uint32_t count = 0;
  if (napi_is_array(env, addr, &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, addr, &count) != napi_ok || count < 2 ||
      (family == AF_INET && count != 2) || count > 4) {
    ThrowType(env, family == AF_INET ? "AF_INET address must be [host, port]"
                                     : "AF_INET6 address must be [host, port, flowinfo?, scopeId?]");
    return kPending;
  }
  napi_value hostV, portV;
  GetElement(env, addr, 0, &hostV);
  GetElement(env, addr, 1, &portV);
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  ssize_t hl = ReadUtf8(env, hostV, host, sizeof host, "host");
  if (hl == -1) return kPending;
  if (hl == -2) return -EINVAL;
  uint16_t port;
  int r = ParsePort(env, portV, &port);
  if (r) return r;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(ss);
    in->sin_family = AF_INET;
    in->sin_port = port;
    // Python's two spellings that are not addresses.
    if (hl == 0) in->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "<broadcast>") == 0) in->sin_addr.s_addr = htonl(INADDR_BROADCAST);
    else if (inet_pton(AF_INET, host, &in->sin_addr) != 1) return -EINVAL;
    *len = sizeof *in;
    return 0;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = port;
  char* pct = strchr(host, '%');
  if (pct) {
    *pct = 0;
    const char* scope = pct + 1;
    char* end;
    unsigned long idx = strtoul(scope, &end, 10);
    if (*scope && *end == 0) in6->sin6_scope_id = static_cast<uint32_t>(idx);
    else if ((idx = if_nametoindex(scope)) != 0) in6->sin6_scope_id = static_cast<uint32_t>(idx);
    else return -EINVAL;
  }
  if (host[0] == 0) in6->sin6_addr = in6addr_any;
  else if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) return -EINVAL;
  if (count >= 3) {
    napi_value v;
    GetElement(env, addr, 2, &v);
    int64_t flow;
    if (!ToInt64(env, v, &flow, "flowinfo")) return kPending;
    if (flow < 0 || flow > 0xfffff) {
      ThrowRange(env, "flowinfo must be 0-1048575.");
      return kPending;
    }
    in6->sin6_flowinfo = htonl(static_cast<uint32_t>(flow));
  }
  if (count == 4) {
    napi_value v;
    GetElement(env, addr, 3, &v);
    int64_t sid;
    if (!ToInt64(env, v, &sid, "scopeId")) return kPending;
    if (sid < 0 || sid > 0xffffffffLL) {
      ThrowRange(env, "scopeId is out of range");
      return kPending;
    }
    // An explicit scope id wins over a %scope suffix, unless it is 0.
    if (sid != 0 || !pct) in6->sin6_scope_id = static_cast<uint32_t>(sid);
  }
  *len = sizeof *in6;
  return 0;
}

napi_value FormatSockaddr(napi_env env, const sockaddr* sa, socklen_t len) {
  napi_value result;
  if (len == 0 || len < static_cast<socklen_t>(sizeof(sa_family_t))) {
    napi_get_null(env, &result);
    return result;
  }
  switch (sa->sa_family) {
    case AF_INET: {
      auto* in = reinterpret_cast<const sockaddr_in*>(sa);
      char host[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      napi_value h, p;
      napi_create_string_latin1(env, host, NAPI_AUTO_LENGTH, &h);
      napi_create_uint32(env, ntohs(in->sin_port), &p);
      napi_create_array_with_length(env, 2, &result);
      napi_set_element(env, result, 0, h);
      napi_set_element(env, result, 1, p);
      return result;
    }
    case AF_INET6: {
      auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
      char host[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      napi_value h, p, f, s;
      napi_create_string_latin1(env, host, NAPI_AUTO_LENGTH, &h);
      napi_create_uint32(env, ntohs(in6->sin6_port), &p);
      napi_create_uint32(env, ntohl(in6->sin6_flowinfo), &f);
      napi_create_uint32(env, in6->sin6_scope_id, &s);
      napi_create_array_with_length(env, 4, &result);
      napi_set_element(env, result, 0, h);
      napi_set_element(env, result, 1, p);
      napi_set_element(env, result, 2, f);
      napi_set_element(env, result, 3, s);
      return result;
    }
    case AF_UNIX: {
      auto* un = reinterpret_cast<const sockaddr_un*>(sa);
      size_t n = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      if (n > sizeof un->sun_path) n = sizeof un->sun_path;
      // A path name stops at its terminator; an abstract name (leading NUL)
      // is exactly the bytes the kernel reported.
      if (n > 0 && un->sun_path[0] != 0) n = strnlen(un->sun_path, n);
      napi_create_string_utf8(env, un->sun_path, n, &result);
      return result;
    }
    default:
      napi_get_null(env, &result);
      return result;
  }
}

}  // namespace tsyncio
