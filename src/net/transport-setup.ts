import type { Coroutine } from "../core/coroutines.js";
import type { Future } from "../core/futures.js";
import type { BaseTransport } from "../core/transports.js";

/**
 * Connection set-up, as asyncio's create_* methods do it: `make` wraps the
 * socket in its transport, then connection_made (the waiter) is awaited. A
 * failure closes what exists at once: the socket when no transport owns it
 * yet, else the transport; an fd never waits for a finalizer.
 */
export function* setUpTransport<T extends BaseTransport>(
  sock: { close(): void }, waiter: Future<void>, make: () => T,
): Coroutine<T> {
  let transport: T;
  try {
    transport = make();
  } catch (e) {
    sock.close();
    throw e;
  }
  try {
    yield* waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  return transport;
}
