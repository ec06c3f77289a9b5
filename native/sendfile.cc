// sendfile(2) with an explicit offset: the file position of inFd is never
// moved, so the same file can be sent to many sockets at once.
#include <errno.h>
#include <sys/sendfile.h>

#include "tsyncio.h"

namespace tsyncio {

namespace {

Napi::Value Sendfile(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t outFd, inFd;
  int64_t offset, count;
  if (!ToInt32(env, info[0], &outFd, "outFd") || !ToInt32(env, info[1], &inFd, "inFd") ||
      !ToInt64(env, info[2], &offset, "offset") || !ToInt64(env, info[3], &count, "count"))
    return {};
  if (offset < 0 || count < 0) {
    ThrowRange(env, "offset and count must not be negative");
    return {};
  }
  off_t off = static_cast<off_t>(offset);
  ssize_t r = NoIntr([&] { return sendfile(outFd, inFd, &off, static_cast<size_t>(count)); });
  return Napi::Value(env, r < 0 ? Errno(env, errno) : Int(env, r));
}

}  // namespace

void InitSendfile(Napi::Env env, Napi::Object exports) {
  exports.Set("sendfile", Napi::Function::New(env, Sendfile, "sendfile"));
}

}  // namespace tsyncio
