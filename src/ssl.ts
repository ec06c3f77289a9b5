// The `asyncio.ssl` wrapper over Node's TLS options. (Being written.)

/** Python's ssl.SSLContext, as a thin wrapper over Node's tls.SecureContext options. */
export class SSLContext {}
