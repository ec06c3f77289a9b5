{
  "targets": [
    {
      "target_name": "tsyncio",
      "sources": ["native/addon.cc", "native/sockaddr.cc", "native/socket.cc", "native/sendfile.cc", "native/dns.cc", "native/poller.cc", "native/quiet-call.cc", "native/memory.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O2", "-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
