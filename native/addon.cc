// tsyncio's native core: the module entry point. Each concern lives in its own
// file (poller, socket, sendfile, dns) and registers its functions here; this
// file owns what they share at run time: the per-environment state, whose
// teardown a worker's exit waits for, and CallFromLoop.
#include <napi.h>

#include "tsyncio.h"

namespace tsyncio {

AddonData* GetAddonData(napi_env env) {
  void* p = nullptr;
  napi_get_instance_data(env, &p);
  return static_cast<AddonData*>(p);
}

void MaybeFinishTeardown(AddonData* data) {
  if (data->liveHandles != 0 || data->liveRequests != 0) return;
  if (data->tearingDown && data->cleanupHook) {
    napi_async_cleanup_hook_handle h = data->cleanupHook;
    data->cleanupHook = nullptr;
    data->hookPending = false;
    napi_remove_async_cleanup_hook(h);
  }
  if (!data->instanceAlive && !data->hookPending) delete data;
}

void CallFromLoop(napi_env env, napi_async_context context, napi_value fn, size_t argc, const napi_value* argv) {
  napi_value global;  // MakeCallback wants an object
  napi_get_global(env, &global);
  napi_make_callback(env, context, global, fn, argc, argv, nullptr);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
}

// Node waits for this hook before it closes the loop (a worker's loop must
// have no open handles left), so every uv_poll_t is closed and every DNS
// request cancelled or finished here.
static void OnEnvCleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  auto* data = static_cast<AddonData*>(arg);
  data->tearingDown = true;
  data->cleanupHook = handle;
  ClosePoller(data);
  CloseMemory(data);
  CancelAllRequests(data);
  MaybeFinishTeardown(data);
}

static void OnInstanceFinalize(napi_env, void* p, void*) {
  auto* data = static_cast<AddonData*>(p);
  data->instanceAlive = false;
  MaybeFinishTeardown(data);
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), "0.1.0");
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->env = env;
  napi_get_uv_event_loop(env, &data->loop);
  napi_set_instance_data(env, data, OnInstanceFinalize, nullptr);
  data->hookPending = napi_add_async_cleanup_hook(env, OnEnvCleanup, data, nullptr) == napi_ok;
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("READABLE", Napi::Number::New(env, UV_READABLE));
  constants.Set("WRITABLE", Napi::Number::New(env, UV_WRITABLE));
  constants.Set("DISCONNECT", Napi::Number::New(env, UV_DISCONNECT));
  constants.Set("PRIORITIZED", Napi::Number::New(env, UV_PRIORITIZED));
  exports.Set("constants", constants);
  InitSocket(env, exports);
  InitSendfile(env, exports);
  InitDns(env, exports, data);
  InitPoller(env, exports);
  InitQuietCall(env, exports);
  InitMemory(env, exports, data);
  return exports;
}

}  // namespace tsyncio

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return tsyncio::Init(env, exports); }

NODE_API_MODULE(tsyncio, InitAll)
