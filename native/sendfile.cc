// sendfile(2) with an explicit offset: the file position of inFd is never
// moved, so the same file can be sent to many sockets at once. lseek(2) is
// here for sock_sendfile, which leaves the position after the bytes sent.
#include <errno.h>
#include <sys/sendfile.h>
#include <unistd.h>

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

// lseek(fd, offset, whence): the new offset or -errno. Node has none, and
// sock_sendfile leaves the file position after the bytes sent, as Python does.
Napi::Value Lseek(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t fd, whence;
  int64_t offset;
  if (!ToInt32(env, info[0], &fd, "fd") || !ToInt64(env, info[1], &offset, "offset") ||
      !ToInt32(env, info[2], &whence, "whence"))
    return {};
  off_t r = lseek(fd, static_cast<off_t>(offset), whence);
  return Napi::Value(env, r < 0 ? Errno(env, errno) : Int(env, r));
}

}  // namespace

void InitSendfile(Napi::Env env, Napi::Object exports) {
  exports.Set("sendfile", Napi::Function::New(env, Sendfile, "sendfile"));
  exports.Set("lseek", Napi::Function::New(env, Lseek, "lseek"));
}

}  // namespace tsyncio
