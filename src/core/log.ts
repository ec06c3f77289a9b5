import { formatException } from "../stdlib/traceback.js";

// The counterpart of Python's logging.getLogger("asyncio"): every message the
// loop logs (unhandled exceptions, slow callbacks, debug notes) goes through
// here, so users can redirect or silence it in one place.

/** Severity levels, with Python's numeric values. */
export const LogLevel = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;

/** A log record handed to a sink. */
export interface LogRecord {
  /** The numeric level (LogLevel). */
  level: number;
  /** The level's name ("ERROR", ...). */
  levelName: string;
  /** The formatted message. */
  message: string;
  /** The exception attached to the record, if any. */
  exception?: unknown;
}

/** Where log records go. */
export type LogSink = (record: LogRecord) => void;

const names: Record<number, string> = { 10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL" };

function defaultSink(r: LogRecord): void {
  let text = r.message;
  if (r.exception !== undefined) text += "\n" + formatException(r.exception).trimEnd();
  process.stderr.write(text + "\n");
}


/** The "asyncio" logger. */
export class Logger {
  /** Records below this level are dropped (default WARNING-equivalent behaviour of Python: DEBUG is dropped). */
  level: number = LogLevel.INFO;
  private sink: LogSink = defaultSink;

  /** Replaces the sink (null restores the default, which writes to stderr). */
  setSink(sink: LogSink | null): void {
    this.sink = sink ?? defaultSink;
  }

  /** Logs at `level`. */
  log(level: number, message: string, exception?: unknown): void {
    if (level < this.level) return;
    const rec: LogRecord = { level, levelName: names[level] ?? `Level ${level}`, message };
    if (exception !== undefined) rec.exception = exception;
    this.sink(rec);
  }

  /** Logs at DEBUG. */
  debug(message: string): void { this.log(LogLevel.DEBUG, message); }
  /** Logs at INFO. */
  info(message: string): void { this.log(LogLevel.INFO, message); }
  /** Logs at WARNING. */
  warning(message: string, exception?: unknown): void { this.log(LogLevel.WARNING, message, exception); }
  /** Logs at ERROR. */
  error(message: string, exception?: unknown): void { this.log(LogLevel.ERROR, message, exception); }
}

/** tsyncio's logger (Python: `logging.getLogger("asyncio")`). */
export const logger = new Logger();
