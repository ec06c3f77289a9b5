// tsyncio's native core: the module entry point. Each concern lives in its own
// file (poll, socket, sendfile, dns) and registers its functions here.
#include <napi.h>

namespace tsyncio {

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), "0.1.0");
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  return exports;
}

}  // namespace tsyncio

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return tsyncio::Init(env, exports); }

NODE_API_MODULE(tsyncio, InitAll)
