// Watcher: fd readiness through a uv_poll_t on Node's own loop (DESIGN §3).
// The event loop layer keeps one Watcher per fd and changes its mask with
// start(); libuv refuses a second poll handle on an fd it already watches
// (-EEXIST), and uv_poll_init puts the fd into non-blocking mode.
#include <errno.h>

#include "tsyncio.h"

namespace tsyncio {

class Watcher;

// Allocated apart from the Watcher: the handle must outlive a Watcher that
// is garbage-collected before libuv has run its close callback.
struct PollHandle {
  uv_poll_t poll;
  Watcher* owner = nullptr;
  AddonData* data = nullptr;
  PollHandle* prev = nullptr;
  PollHandle* next = nullptr;
};

static void Link(AddonData* data, PollHandle* h) {
  h->next = data->handles;
  if (data->handles) data->handles->prev = h;
  data->handles = h;
}

static void Unlink(AddonData* data, PollHandle* h) {
  if (h->prev) h->prev->next = h->next;
  else data->handles = h->next;
  if (h->next) h->next->prev = h->prev;
  h->prev = h->next = nullptr;
}

static void OnClosed(uv_handle_t* handle) {
  auto* h = reinterpret_cast<PollHandle*>(handle);
  AddonData* data = h->data;
  delete h;
  data->liveHandles--;
  MaybeFinishTeardown(data);
}

static void CloseHandle(PollHandle* h) {
  Unlink(h->data, h);
  h->owner = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), OnClosed);
}

class Watcher : public Napi::ObjectWrap<Watcher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Watcher",
                       {
                           InstanceMethod<&Watcher::Start>("start"),
                           InstanceMethod<&Watcher::Stop>("stop"),
                           InstanceMethod<&Watcher::Close>("close"),
                           InstanceMethod<&Watcher::DoRef>("ref"),
                           InstanceMethod<&Watcher::DoUnref>("unref"),
                           InstanceMethod<&Watcher::HasRef>("hasRef"),
                           InstanceAccessor<&Watcher::GetFd>("fd"),
                           InstanceAccessor<&Watcher::GetActive>("active"),
                           InstanceAccessor<&Watcher::GetClosed>("closed"),
                       });
  }

  explicit Watcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Watcher>(info) {
    napi_env env = info.Env();
    data_ = GetAddonData(env);
    if (info.Length() < 2 || !info[1].IsFunction()) {
      ThrowType(env, "Watcher(fd, callback): callback must be a function");
      return;
    }
    if (!ToInt32(env, info[0], &fd_, "fd")) return;
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    napi_value name;
    napi_create_string_latin1(env, "tsyncio.Watcher", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, nullptr, name, &asyncContext_);
    auto* h = new PollHandle();
    int r = fd_ < 0 ? UV_EBADF : uv_poll_init(data_->loop, &h->poll, fd_);
    if (r != 0) {
      // A failed uv_poll_init leaves nothing to close.
      delete h;
      initError_ = r;
      return;
    }
    h->poll.data = h;
    h->owner = this;
    h->data = data_;
    Link(data_, h);
    data_->liveHandles++;
    handle_ = h;
  }

  ~Watcher() override {
    if (handle_) CloseHandle(handle_);
    handle_ = nullptr;
    if (asyncContext_ && !data_->tearingDown) napi_async_destroy(Env(), asyncContext_);
  }

  // Called by the environment's cleanup hook: the handle is closing and no
  // JS may run from it any more.
  void Detach() {
    handle_ = nullptr;
    active_ = false;
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    int32_t events;
    if (!ToInt32(env, info[0], &events, "events")) return Napi::Value();
    if (!handle_) return Napi::Value(env, Errno(env, initError_ ? -initError_ : EBADF));
    if (events & ~(UV_READABLE | UV_WRITABLE | UV_DISCONNECT | UV_PRIORITIZED)) {
      ThrowRange(env, "events must combine READABLE, WRITABLE, DISCONNECT and PRIORITIZED");
      return Napi::Value();
    }
    // uv_poll_start with an empty mask would stop without telling us.
    if (events == 0) return Stop(info);
    int r = uv_poll_start(&handle_->poll, events, OnPoll);
    if (r == 0 && !active_) {
      // An active watcher keeps its JS object (and so the callback) alive.
      Ref();
      active_ = true;
    }
    return Napi::Value(env, Int(env, r));
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    if (handle_) uv_poll_stop(&handle_->poll);
    if (active_) {
      active_ = false;
      Unref();
    }
    return Napi::Value(env, Int(env, 0));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    if (handle_) {
      uv_poll_stop(&handle_->poll);
      CloseHandle(handle_);
      handle_ = nullptr;
    }
    if (active_) {
      active_ = false;
      Unref();
    }
    callback_.Reset();
    if (asyncContext_) {
      napi_async_destroy(env, asyncContext_);
      asyncContext_ = nullptr;
    }
    closed_ = true;
    return Napi::Value(env, Undefined(env));
  }

  Napi::Value DoRef(const Napi::CallbackInfo& info) {
    if (handle_) uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
    return Napi::Value(info.Env(), Undefined(info.Env()));
  }

  Napi::Value DoUnref(const Napi::CallbackInfo& info) {
    if (handle_) uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
    return Napi::Value(info.Env(), Undefined(info.Env()));
  }

  Napi::Value HasRef(const Napi::CallbackInfo& info) {
    bool r = handle_ && uv_has_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
    return Napi::Boolean::New(info.Env(), r);
  }

  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value GetActive(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), active_); }
  Napi::Value GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }

  static void OnPoll(uv_poll_t* poll, int status, int events) {
    auto* h = static_cast<PollHandle*>(poll->data);
    Watcher* w = h->owner;
    if (!w || h->data->tearingDown) return;
    napi_env env = w->Env();
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value argv[2];
    napi_create_int32(env, status, &argv[0]);
    napi_create_int32(env, events, &argv[1]);
    // MakeCallback, not a plain call: Node drains the microtask queue and
    // nextTicks after it, as it does after its own I/O callbacks.
    napi_make_callback(env, w->asyncContext_, w->Value(), w->callback_.Value(), 2, argv, nullptr);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
    napi_close_handle_scope(env, scope);
  }

  AddonData* data_ = nullptr;
  PollHandle* handle_ = nullptr;
  Napi::FunctionReference callback_;
  napi_async_context asyncContext_ = nullptr;
  int32_t fd_ = -1;
  int initError_ = 0;
  bool active_ = false;
  bool closed_ = false;
};

void CloseAllHandles(AddonData* data) {
  while (data->handles) {
    PollHandle* h = data->handles;
    if (h->owner) h->owner->Detach();
    uv_poll_stop(&h->poll);
    CloseHandle(h);
  }
}

void InitPoll(Napi::Env env, Napi::Object exports, AddonData* data) {
  Napi::Function ctor = Watcher::Define(env);
  data->watcherCtor = Napi::Persistent(ctor);
  exports.Set("Watcher", ctor);
}

}  // namespace tsyncio
