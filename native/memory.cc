// The addon's memory policy: the malloc tuning and the V8 flag the read
// path's Buffers want while reads go on, and the memory given back once they
// stop.
//
// Every read hands the protocol memory no earlier read's bytes live in (a read
// slab, or a large read's own Buffer), and V8 frees it in batches at its GCs.
// Under load that memory should stay warm (TuneMalloc). When the process goes
// quiet, what is left is garbage: the read slabs V8 has not collected yet, a
// young generation grown during the burst, and freed heap that glibc keeps
// (docs/BENCHMARKS.md). Each environment watches for that moment with one
// unref'd timer, armed only by reads and GCs: a quiet tick (no fresh read
// memory and no GC for kQuietMs) asks V8 for its memory-reducing GC when
// enough fresh memory came since the last one (read memory, and young
// generation GCs, each of which means at least 1 MiB allocated), and trims
// the heap once a GC has freed something since the last trim. Under steady load no tick is ever
// quiet, so the hot path keeps its warm memory and pays one addition per read
// slab or large read. A full GC forced by the program (`gc()` under
// --expose-gc) is a request for memory back now: after such a burst it is
// followed at once by the memory-reducing GC and the trim, inside the same
// call, instead of at the next quiet tick.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tsyncio.h"

namespace tsyncio {

namespace {

// A tick with no fresh read memory and no GC since the last one is quiet.
constexpr uint64_t kQuietMs = 100;
// Fresh read memory that makes a memory-reducing GC worth asking for: 16
// read slabs. V8 itself collects after about 32 MiB of young ArrayBuffers.
constexpr size_t kCollectAfterBytes = 4 * 1024 * 1024;
// What one young-generation GC adds to that count.
constexpr size_t kGcWeightBytes = 1024 * 1024;
// A memory-reducing GC costs milliseconds of CPU (more with a larger heap),
// and a pattern of short bursts and pauses must not turn into a GC per burst.
// They draw on a budget of CPU time (the process's, helper threads included,
// from the request to the Mark-Compact's end) that refills at 2 % of the
// time that passes, up to kCollectBudgetMs: over any long stretch they take
// at most ~2 % of a core, and a few bursts in a row are each followed by one.
constexpr double kCollectShare = 0.02;
constexpr double kCollectBudgetMs = 100;
// A GC asked for and not ended after this is taken as not coming.
constexpr uint64_t kCollectStaleMs = 10000;

bool tuned = false;

// Whether the environment variable `name` is "0": that part of the policy is off.
bool SwitchedOff(const char* name) {
  const char* v = getenv(name);
  return v != nullptr && v[0] == '0' && v[1] == '\0';
}

// One per environment (the main thread and each worker): trimming is
// process-wide, but each environment knows only its own reads and GCs.
struct Trimmer {
  uv_timer_t timer;
  AddonData* data = nullptr;
  v8::Isolate* isolate = nullptr;
  uint64_t activity = 0;     // fresh read bytes plus GCs, ever: moves while busy
  uint64_t seen = 0;         // `activity` at the last tick
  // Fresh bytes (reads, young GCs) since the last memory-reducing GC asked for; start-up
  // counts as a burst, so a process's first quiet moment reduces too.
  size_t fresh = kCollectAfterBytes;
  // The same since the last reduction after a forced GC only: a quiet moment
  // in the middle of a burst (a process descheduled for a tick, say) must not
  // take the reduction away from the gc() the program calls after it.
  size_t freshForced = kCollectAfterBytes;
  double budget = kCollectBudgetMs;  // CPU ms the next memory-reducing GCs may take
  uint64_t budgetAt = 0;             // uv_now() when `budget` was last refilled
  double costFrom = -1;      // process CPU ms when the last one was asked for, until it ends
  uint64_t askedAt = 0;      // uv_now() then
  bool gcSinceTrim = true;   // something may have been freed (start-up counts)
  bool ticking = false;
  double trims = 0;
  double collections = 0;
  double lastCost = 0;  // process CPU ms the last memory-reducing GC took
};

thread_local Trimmer* trimmer = nullptr;

double ProcessCpuMs() {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Refills the budget for the time since the last refill; whether it allows a
// memory-reducing GC now.
bool BudgetAllows(Trimmer* m, uint64_t now) {
  m->budget = std::min(kCollectBudgetMs, m->budget + static_cast<double>(now - m->budgetAt) * kCollectShare);
  m->budgetAt = now;
  return m->budget > 0;
}

// Reads and young GCs count towards both kinds of reduction.
void AddFresh(Trimmer* m, size_t bytes) {
  m->fresh += bytes;
  m->freshForced += bytes;
}

void Trim(Trimmer* m) {
  m->gcSinceTrim = false;
  m->trims++;
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

void OnTick(uv_timer_t* t);

void Arm(Trimmer* m) {
  m->ticking = true;
  m->seen = m->activity;
  uv_timer_start(&m->timer, OnTick, kQuietMs, kQuietMs);
}

void OnTick(uv_timer_t* t) {
  auto* m = static_cast<Trimmer*>(t->data);
  if (m->activity != m->seen) {
    m->seen = m->activity;
    return;
  }
  uint64_t now = uv_now(m->data->loop);
  // A GC asked for whose Mark-Compact never came (V8 was marking already and
  // finished before the callback saw it, say) must not block the next one.
  if (m->costFrom >= 0 && now - m->askedAt > kCollectStaleMs) m->costFrom = -1;
  bool wanted = m->fresh >= kCollectAfterBytes && m->costFrom < 0;
  if (BudgetAllows(m, now) && wanted) {
    m->fresh = 0;
    m->costFrom = ProcessCpuMs();
    m->askedAt = now;
    m->collections++;
    // V8's own memory-reducer GC (incremental marking, then a Mark-Compact
    // that also shrinks the young generation), which V8 would start only
    // seconds later. Its epilogue counts as activity: the trim waits for the
    // next quiet tick, after the GC's ArrayBuffer sweeping.
    m->isolate->MemoryPressureNotification(v8::MemoryPressureLevel::kModerate);
    return;
  }
  if (m->gcSinceTrim) Trim(m);
  if (wanted) {
    // The GC once the budget allows it.
    uv_timer_start(t, OnTick, static_cast<uint64_t>(-m->budget / kCollectShare) + 1, kQuietMs);
    return;
  }
  m->ticking = false;
  uv_timer_stop(t);
}

// A forced full GC leaves the young generation at the size the burst grew it
// to (V8 shrinks it only in a memory-reducing GC), so the program that forced
// it would still see the burst in its RSS. V8 allows a GC from an epilogue
// callback and does not call the callbacks again for it. The program asked
// for a full GC, so the budget does not hold this one back (4 MiB of fresh
// memory since the last one still must have come); what it costs comes out of
// the budget all the same, and the quiet-time ones wait for it to refill.
void ReduceAfterForcedGc(Trimmer* m) {
  BudgetAllows(m, uv_now(m->data->loop));
  m->fresh = 0;
  m->freshForced = 0;
  m->collections++;
  double from = ProcessCpuMs();
  m->isolate->MemoryPressureNotification(v8::MemoryPressureLevel::kCritical);
  Trim(m);
  m->lastCost = ProcessCpuMs() - from;
  m->budget -= m->lastCost;
}

void OnGc(v8::Isolate*, v8::GCType type, v8::GCCallbackFlags flags, void* p) {
  auto* m = static_cast<Trimmer*>(p);
  if (m->costFrom >= 0 && (type & v8::kGCTypeMarkSweepCompact)) {
    double cost = ProcessCpuMs() - m->costFrom;
    m->costFrom = -1;
    m->lastCost = cost;
    m->budget -= cost;
  }
  m->activity++;
  // A collection means at least a young generation's worth (1 MiB or more) of
  // allocation: a burst of connections or tasks reads little but grows the
  // young generation all the same.
  if (type & (v8::kGCTypeScavenge | v8::kGCTypeMinorMarkCompact)) AddFresh(m, kGcWeightBytes);
  m->gcSinceTrim = true;
  if (!m->ticking) Arm(m);
  // After the bookkeeping, so that the trim it makes counts as this GC's.
  if ((type & v8::kGCTypeMarkSweepCompact) && (flags & v8::kGCCallbackFlagForced) && m->costFrom < 0 &&
      m->freshForced >= kCollectAfterBytes) {
    ReduceAfterForcedGc(m);
  }
}

void OnTrimmerClosed(uv_handle_t* handle) {
  auto* m = static_cast<Trimmer*>(handle->data);
  AddonData* data = m->data;
  delete m;
  data->liveHandles--;
  MaybeFinishTeardown(data);
}

// Every read hands the protocol a fresh Buffer, and V8 frees them in batches
// at its next GC: with glibc's defaults, that batch shrinks the heap (brk)
// or unmaps (blocks over 128 KiB), and the next reads fault every page back
// in. At 100 KiB messages that was 24 page faults and ~35 µs of system time
// per echo. Keeping up to 64 MiB of freed heap, and serving blocks up to
// 4 MiB from it, lets those buffers reuse warm memory instead; the Trimmer
// gives it back when the process goes quiet. It is process-wide, so
// TSYNCIO_MALLOC_TUNE=0 leaves glibc's defaults alone (and trims nothing).
void TuneMalloc() {
#ifdef __GLIBC__
  static bool done = false;
  if (done) return;
  done = true;
  if (SwitchedOff("TSYNCIO_MALLOC_TUNE")) return;
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  tuned = true;
#endif
}

// Whether the process's command line names the V8 flag `name` (dashes; V8
// also takes underscores, and NODE_OPTIONS may not carry V8 flags): the
// user's choice stands.
bool UserNamedFlag(const char* name) {
  FILE* f = fopen("/proc/self/cmdline", "rb");
  if (f == nullptr) return false;
  char buf[8192];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  for (size_t i = 0; i < n; i++) {
    if (buf[i] == '\0') buf[i] = ' ';
    else if (buf[i] == '_') buf[i] = '-';
  }
  buf[n] = '\0';
  return strstr(buf, name) != nullptr;
}

// Every large read hands the protocol a fresh Buffer, so tens of MiB of young
// ArrayBuffers die between scavenges. V8 sweeps them on a worker thread after
// the scavenge, but checks right after it whether to start a full GC, and that
// check counts the ArrayBuffer memory allocated since the last full GC, swept
// or not: 32 MiB of already dead Buffers then exceed the old generation's
// headroom (once the heap has left V8's 8 MiB activation threshold, as any
// real program has), and a Mark-Compact follows nearly every scavenge. Sweeping
// them within the scavenge (a few hundred free() calls per 32 MiB) keeps the
// count true. Measured on V8 11 and 12 (docs/BENCHMARKS.md); other versions,
// or TSYNCIO_GC_TUNE=0, leave V8's flags alone.
bool gcTuned = false;

void TuneGc() {
  static bool done = false;
  if (done) return;
  done = true;
#if V8_MAJOR_VERSION >= 11 && V8_MAJOR_VERSION <= 12
  if (SwitchedOff("TSYNCIO_GC_TUNE") || UserNamedFlag("array-buffer-sweeping")) return;
  static const char kFlag[] = "--no-concurrent-array-buffer-sweeping";
  v8::V8::SetFlagsFromString(kFlag, sizeof(kFlag) - 1);
  gcTuned = true;
#endif
}

napi_value Double(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

// memoryPolicy(): {tuned, gcTuned, trims, collections, lastCollectionMs}:
// whether the malloc tuning is on, whether V8 sweeps ArrayBuffers within the scavenge, how many trims and memory-reducing GCs this
// environment has made, and the process CPU time the last of those GCs took.
napi_value MemoryPolicy(napi_env env, napi_callback_info) {
  napi_value out, flag;
  napi_create_object(env, &out);
  napi_get_boolean(env, tuned, &flag);
  napi_set_named_property(env, out, "tuned", flag);
  napi_get_boolean(env, gcTuned, &flag);
  napi_set_named_property(env, out, "gcTuned", flag);
  Trimmer* m = trimmer;
  napi_set_named_property(env, out, "trims", Double(env, m != nullptr ? m->trims : 0));
  napi_set_named_property(env, out, "collections", Double(env, m != nullptr ? m->collections : 0));
  napi_set_named_property(env, out, "lastCollectionMs", Double(env, m != nullptr ? m->lastCost : 0));
  return out;
}

}  // namespace

void NoteFreshRead(size_t bytes) {
  Trimmer* m = trimmer;
  if (m == nullptr) return;
  m->activity += bytes;
  AddFresh(m, bytes);
  if (!m->ticking && m->fresh >= kCollectAfterBytes) Arm(m);
}

void CloseMemory(AddonData* data) {
  Trimmer* m = trimmer;
  if (m == nullptr || m->data != data) return;
  trimmer = nullptr;
  m->isolate->RemoveGCEpilogueCallback(OnGc, m);
  uv_timer_stop(&m->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&m->timer), OnTrimmerClosed);
}

void InitMemory(Napi::Env env, Napi::Object exports, AddonData* data) {
  TuneMalloc();
  TuneGc();
  if (tuned && trimmer == nullptr) {
    auto* m = new Trimmer();
    m->data = data;
    m->isolate = v8::Isolate::GetCurrent();
    uv_timer_init(data->loop, &m->timer);
    m->timer.data = m;
    uv_unref(reinterpret_cast<uv_handle_t*>(&m->timer));
    data->liveHandles++;
    m->isolate->AddGCEpilogueCallback(OnGc, m);
    trimmer = m;
    Arm(m);  // start-up's freed memory goes back at the first quiet tick
  }
  napi_value fn;
  napi_create_function(env, "memoryPolicy", NAPI_AUTO_LENGTH, MemoryPolicy, nullptr, &fn);
  napi_set_named_property(env, exports, "memoryPolicy", fn);
}

}  // namespace tsyncio
