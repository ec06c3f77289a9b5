// callQuietly(fn, thisArg): fn.call(thisArg), under a v8::TryCatch that does
// not capture messages. With no such TryCatch on the native stack (JS called
// from setImmediate or a libuv callback), V8 builds a message for every throw,
// even one a JS catch or finally handles a frame later: it walks the stack and
// decodes source positions to find the throw's location, most of the cost of
// a throw that is not the unwinding itself. The loop runs its iterations
// through this (src/core/base-events.ts), so the CancelledError a task
// cancellation throws through its coroutines, and every exception user code
// throws and catches inside the loop, skip that work. An exception that
// leaves fn is rethrown to the caller unchanged.
#include "tsyncio.h"

namespace tsyncio {

namespace {

void CallQuietly(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  if (info.Length() < 1 || !info[0]->IsFunction()) {
    isolate->ThrowException(v8::Exception::TypeError(
        v8::String::NewFromUtf8Literal(isolate, "callQuietly(fn, thisArg): fn must be a function")));
    return;
  }
  v8::Local<v8::Value> self = info.Length() > 1 ? info[1] : v8::Undefined(isolate).As<v8::Value>();
  v8::TryCatch tc(isolate);
  tc.SetVerbose(false);
  tc.SetCaptureMessage(false);
  v8::Local<v8::Value> result;
  if (info[0].As<v8::Function>()->Call(isolate->GetCurrentContext(), self, 0, nullptr).ToLocal(&result)) {
    info.GetReturnValue().Set(result);
    return;
  }
  // A termination (worker.terminate()) is passed on by the TryCatch itself.
  if (tc.HasCaught() && tc.CanContinue()) tc.ReThrow();
}

}  // namespace

void InitQuietCall(Napi::Env, Napi::Object exports) {
  (void)SetV8Function(exports, "callQuietly", CallQuietly, 2);
}

}  // namespace tsyncio
