// The public `asyncio` namespace: `import * as asyncio from "tsyncio"`. Re-exports only.
export * from "./stdlib/exceptions.js";
export { Context, ContextVar, Token, copyContext } from "./stdlib/contextvars.js";
export {
  AbstractEventLoop, AbstractEventLoopPolicy, DefaultEventLoopPolicy, Handle, TimerHandle,
  getRunningLoop, getEventLoop, setEventLoop, newEventLoop, getEventLoopPolicy, setEventLoopPolicy,
  _getRunningLoop, _setRunningLoop, inContext,
  AbstractServer, type AddrInfo, type ExceptionContext, type ExceptionHandler, type TaskFactory,
  type CreateConnectionOptions, type CreateServerOptions, type CreateUnixConnectionOptions,
  type CreateUnixServerOptions, type CreateDatagramEndpointOptions, type ConnectAcceptedSocketOptions,
  type StartTlsOptions, type GetaddrinfoOptions, type SubprocessOptions, type FileDescriptorLike, type FileLike,
  type StdioSpec, type ContextBoundCallback, type Callback, type Executor,
} from "./core/events.js";
export { BaseEventLoop, type EventLoopOptions } from "./core/base-events.js";
export { SelectorEventLoop } from "./loop.js";
export { Server } from "./net/servers.js";
export { Future, isfuture, wrapFuture, type DoneCallback, type Awaitable } from "./core/futures.js";
export {
  Task, createTask, currentTask, allTasks, ensureFuture, sleep, gather, shield, waitFor, wait, asCompleted, AsCompletedIterator,
  eagerTaskFactory, createEagerTaskFactory, runCoroutineThreadsafe,
  FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type TaskOptions,
  type GatherOptions, type GatherResults, type GatherResultsOrErrors,
} from "./core/tasks.js";
export {
  iscoroutine, iscoroutinefunction, awaitableCoroutine,
  type Coroutine, type CoroutineFunction, type AwaitableCoroutine,
} from "./core/coroutines.js";
export { Timeout, timeout, timeoutAt } from "./sync/timeouts.js";
export { Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier } from "./sync/locks.js";
export { Queue, PriorityQueue, LifoQueue } from "./sync/queues.js";
export { TaskGroup, taskGroup } from "./sync/taskgroups.js";
export { run, Runner, type RunnerOptions } from "./runners.js";
export { BaseProtocol, Protocol, BufferedProtocol, DatagramProtocol, SubprocessProtocol, type ProtocolLike } from "./core/protocols.js";
export {
  BaseTransport, ReadTransport, WriteTransport, Transport, DatagramTransport, SubprocessTransport,
} from "./core/transports.js";
export { logger, LogLevel, Logger, type LogRecord, type LogSink } from "./core/log.js";
export {
  ThreadPoolExecutor, ProcessPoolExecutor, ExecutorMap,
  type MapOptions, type ThreadPoolExecutorOptions, type ProcessPoolExecutorOptions,
} from "./executors/pools.js";
export { ConcurrentFuture, BrokenExecutor, BrokenThreadPool, BrokenProcessPool } from "./executors/concurrent-futures.js";
export { workerFunction, type WorkerCallable, type WorkerFunctionRef } from "./executors/function-refs.js";
export { toThread } from "./executors/threads.js";
export {
  StreamReader, StreamWriter, StreamReaderProtocol, openConnection, startServer, openUnixConnection, startUnixServer,
  type ClientConnectedCallback, type StreamReaderOptions, type OpenConnectionOptions, type StartServerOptions,
  type OpenUnixConnectionOptions, type StartUnixServerOptions, type StreamStartTlsOptions,
  type Separator, type StreamTransport,
} from "./net/streams.js";
/** Test helpers: `asyncio.testing.VirtualTimeLoop`, a loop on a virtual clock. */
export * as testing from "./testing.js";
export { formatTaskTree, printTaskTree, type TextSink } from "./sync/introspection.js";
export {
  createSubprocessExec, createSubprocessShell, Process, PIPE, STDOUT, DEVNULL, type CreateSubprocessOptions,
} from "./unix/subprocess.js";
/** tsyncio's `ssl` module: SSLContext over Node's TLS options, Python's ssl errors. */
export * as ssl from "./stdlib/ssl.js";
export { SSLContext } from "./stdlib/ssl.js";
export {
  asyncWith, type AsyncContextManager, type Holdable, type Runnable, type Enterable,
} from "./sync/async-with.js";
export { abortable } from "./node/promises.js";
export { once } from "./node/events.js";
export {
  aiter, anext, type AsyncIteratorLike, type AsyncIterableLike, type AsyncIterableSource,
} from "./node/iteration.js";
export {
  readerFromReadable, writerFromWritable, readableFromReader, NodeStreamTransport, type ReaderFromReadableOptions,
} from "./node/streams.js";
export { submit, sharedLoop } from "./node/embedding.js";
