import { ValueError } from "../stdlib/exceptions.js";
import type { AbstractEventLoop } from "./events.js";
import type { ProtocolLike } from "./protocols.js";
import { Transport } from "./transports.js";

// Apart from transports.ts because it names the loop (for the exception
// handler): the transport bases stay free of the loop interface, so the only
// two-way type reference of transports.ts is its protocol's.

/**
 * The write-buffer flow control shared by every writing transport (Python's
 * _FlowControlMixin): pauseWriting() when the buffer goes over the high-water
 * mark, resumeWriting() when it drains to the low-water mark or below.
 */
export class FlowControlTransport extends Transport {
  /** @internal */ protected _loop: AbstractEventLoop;
  /** @internal */ protected _protocolPaused = false;
  /** @internal */ protected _highWater = 64 * 1024;
  /** @internal */ protected _lowWater = 16 * 1024;
  /** @internal */ _protocol: ProtocolLike | null = null;

  constructor(extra: Record<string, unknown> | null | undefined, loop: AbstractEventLoop) {
    super(extra);
    this._loop = loop;
    this._setWriteBufferLimits();
  }

  /** @internal Calls pauseWriting() once the buffer is over the high-water mark. */
  _maybePauseProtocol(): void {
    const size = this.getWriteBufferSize();
    if (size <= this._highWater) return;
    if (!this._protocolPaused) {
      this._protocolPaused = true;
      try {
        this._protocol?.pauseWriting?.();
      } catch (exc) {
        this._loop.callExceptionHandler({
          message: "protocol.pause_writing() failed",
          exception: exc,
          transport: this,
          protocol: this._protocol,
        });
      }
    }
  }

  /** @internal Calls resumeWriting() once the buffer is at or below the low-water mark. */
  _maybeResumeProtocol(): void {
    if (this._protocolPaused && this.getWriteBufferSize() <= this._lowWater) {
      this._protocolPaused = false;
      try {
        this._protocol?.resumeWriting?.();
      } catch (exc) {
        this._loop.callExceptionHandler({
          message: "protocol.resume_writing() failed",
          exception: exc,
          transport: this,
          protocol: this._protocol,
        });
      }
    }
  }

  override getWriteBufferLimits(): [number, number] {
    return [this._lowWater, this._highWater];
  }

  /** @internal */
  protected _setWriteBufferLimits(high?: number | null, low?: number | null): void {
    if (high === undefined || high === null) high = low === undefined || low === null ? 64 * 1024 : 4 * low;
    if (low === undefined || low === null) low = Math.floor(high / 4);
    if (!(high >= low && low >= 0)) {
      throw new ValueError(`high (${high}) must be >= low (${low}) must be >= 0`);
    }
    this._highWater = high;
    this._lowWater = low;
  }

  override setWriteBufferLimits(high?: number | null, low?: number | null): void {
    this._setWriteBufferLimits(high, low);
    this._maybePauseProtocol();
  }
}

/** The write-buffer flow control a transport of another base class takes from FlowControlTransport. */
export interface FlowControlMethods {
  /** @internal */ _maybePauseProtocol(): void;
  /** @internal */ _maybeResumeProtocol(): void;
  /** @internal */ _setWriteBufferLimits(high?: number | null, low?: number | null): void;
  /** Sets the high and low water marks of the write buffer (bytes). */
  setWriteBufferLimits(high?: number | null, low?: number | null): void;
  /** `[low, high]` water marks. */
  getWriteBufferLimits(): [number, number];
}

const FLOW_CONTROL_METHODS: readonly (keyof FlowControlMethods)[] = [
  "_maybePauseProtocol", "_maybeResumeProtocol", "_setWriteBufferLimits", "setWriteBufferLimits", "getWriteBufferLimits",
];

/**
 * @internal Gives `cls` FlowControlTransport's write-buffer methods, the one
 * implementation (Python mixes _FlowControlMixin into datagram and pipe
 * transports; JavaScript has one base class). The class declares the fields
 * they use (_loop, _protocol, _protocolPaused, _highWater, _lowWater) and
 * merges FlowControlMethods into its interface.
 */
export function mixFlowControl(cls: abstract new (...args: never[]) => FlowControlMethods): void {
  const from = FlowControlTransport.prototype as unknown as Record<string, unknown>;
  for (const name of FLOW_CONTROL_METHODS) {
    Object.defineProperty(cls.prototype, name, { value: from[name], writable: true, configurable: true });
  }
}
