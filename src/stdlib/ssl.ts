// The `asyncio.ssl` wrapper: Python's ssl module shape (SSLContext, the
// constants, the error classes, SSLObject) over Node's tls options. A context
// only records settings; the Node SecureContext is built from them on first
// use and kept until a setting changes.
import { Buffer } from "node:buffer";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import * as tls from "node:tls";
import { isIP } from "node:net";
import { OSError, ValueError, osError } from "./exceptions.js";

// ---------------------------------------------------------------------------
// Constants

/** Python's ssl.VerifyMode.CERT_NONE: the peer's certificate is not verified. */
export const CERT_NONE = 0;
/** Python's ssl.VerifyMode.CERT_OPTIONAL: verified if the peer sends one (servers); clients treat it as CERT_REQUIRED. */
export const CERT_OPTIONAL = 1;
/** Python's ssl.VerifyMode.CERT_REQUIRED: the peer must present a valid certificate. */
export const CERT_REQUIRED = 2;
/** Python's ssl.VerifyMode. */
export const VerifyMode = Object.freeze({ CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED });
/** One of CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED. */
export type VerifyModeValue = typeof CERT_NONE | typeof CERT_OPTIONAL | typeof CERT_REQUIRED;

/** Python's ssl.PROTOCOL_TLS: a context usable on either side (deprecated in Python, kept for compatibility). */
export const PROTOCOL_TLS = 2;
/** Alias of PROTOCOL_TLS, as in Python. */
export const PROTOCOL_SSLv23 = PROTOCOL_TLS;
/** Python's ssl.PROTOCOL_TLS_CLIENT: client side; CERT_REQUIRED and checkHostname by default. */
export const PROTOCOL_TLS_CLIENT = 16;
/** Python's ssl.PROTOCOL_TLS_SERVER: server side; CERT_NONE by default. */
export const PROTOCOL_TLS_SERVER = 17;

/** Python's ssl.TLSVersion. */
export const TLSVersion = Object.freeze({
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
});
/** A TLSVersion value. */
export type TLSVersionValue = (typeof TLSVersion)[keyof typeof TLSVersion];

/** Python's ssl.Purpose: what a default context authenticates. */
export class Purpose {
  /** The context authenticates servers (a client context). */
  static readonly SERVER_AUTH = new Purpose("SERVER_AUTH", "1.3.6.1.5.5.7.3.1", "serverAuth");
  /** The context authenticates clients (a server context). */
  static readonly CLIENT_AUTH = new Purpose("CLIENT_AUTH", "1.3.6.1.5.5.7.3.2", "clientAuth");
  private constructor(
    /** The enum member's name. */
    readonly name: string,
    /** The extended key usage OID. */
    readonly oid: string,
    /** OpenSSL's short name. */
    readonly shortname: string,
  ) {}
  /** Python's repr. */
  toString(): string {
    return `Purpose.${this.name}`;
  }
}

/** Python's ssl.OP_NO_COMPRESSION (compression is always off with Node). */
export const OP_NO_COMPRESSION = 0x20000;
/** Python's ssl.OP_NO_TICKET. */
export const OP_NO_TICKET = 0x4000;
/** Python's ssl.OP_NO_TLSv1. */
export const OP_NO_TLSv1 = 0x4000000;
/** Python's ssl.OP_NO_TLSv1_1. */
export const OP_NO_TLSv1_1 = 0x10000000;
/** Python's ssl.OP_NO_TLSv1_2. */
export const OP_NO_TLSv1_2 = 0x8000000;
/** Python's ssl.OP_NO_TLSv1_3. */
export const OP_NO_TLSv1_3 = 0x20000000;
/** Python's ssl.OP_ALL. */
export const OP_ALL = 0x80000850;

/** The OpenSSL version string Node is linked against. */
export const OPENSSL_VERSION = `OpenSSL ${process.versions.openssl}`;
/** ALPN is available. */
export const HAS_ALPN = true;
/** SNI is available. */
export const HAS_SNI = true;
/** TLS 1.3 is available. */
export const HAS_TLSv1_3 = true;
/** TLS 1.2 is available. */
export const HAS_TLSv1_2 = true;

// ---------------------------------------------------------------------------
// Errors

/** Python's ssl.SSLError (an OSError): `library` and `reason` name OpenSSL's error. */
export class SSLError extends OSError {
  /** OpenSSL's library mnemonic ("SSL", "X509", "PEM"), or null. */
  library: string | null;
  /** OpenSSL's reason mnemonic ("CERTIFICATE_VERIFY_FAILED", ...), or null. */
  reason: string | null;
  constructor(message: string, options?: { errno?: number; library?: string | null; reason?: string | null }) {
    super(message);
    this.errno = options?.errno ?? 1;
    this.library = options?.library ?? null;
    this.reason = options?.reason ?? null;
  }
}
Object.defineProperty(SSLError.prototype, "name", { value: "SSLError", writable: true, configurable: true });

/** Python's ssl.SSLZeroReturnError: the peer closed the TLS layer (close_notify). */
export class SSLZeroReturnError extends SSLError {}
Object.defineProperty(SSLZeroReturnError.prototype, "name", { value: "SSLZeroReturnError", writable: true, configurable: true });
/** Python's ssl.SSLWantReadError. */
export class SSLWantReadError extends SSLError {}
Object.defineProperty(SSLWantReadError.prototype, "name", { value: "SSLWantReadError", writable: true, configurable: true });
/** Python's ssl.SSLWantWriteError. */
export class SSLWantWriteError extends SSLError {}
Object.defineProperty(SSLWantWriteError.prototype, "name", { value: "SSLWantWriteError", writable: true, configurable: true });
/** Python's ssl.SSLSyscallError. */
export class SSLSyscallError extends SSLError {}
Object.defineProperty(SSLSyscallError.prototype, "name", { value: "SSLSyscallError", writable: true, configurable: true });
/** Python's ssl.SSLEOFError: the connection ended in violation of the protocol. */
export class SSLEOFError extends SSLError {}
Object.defineProperty(SSLEOFError.prototype, "name", { value: "SSLEOFError", writable: true, configurable: true });

/** Python's ssl.SSLCertVerificationError: certificate validation failed (Python also makes it a ValueError). */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's X509_V_ERR_* code. */
  verifyCode: number;
  /** OpenSSL's description of the verification error. */
  verifyMessage: string;
  constructor(verifyCode: number, verifyMessage: string) {
    super(`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verifyMessage}`, {
      library: "SSL",
      reason: "CERTIFICATE_VERIFY_FAILED",
    });
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
  }
}
Object.defineProperty(SSLCertVerificationError.prototype, "name", { value: "SSLCertVerificationError", writable: true, configurable: true });
/** Python's ssl.CertificateError, an alias of SSLCertVerificationError. */
export const CertificateError = SSLCertVerificationError;

// OpenSSL's X509_V_ERR_* numbers, by the name Node gives a verification error.
const X509_ERRORS: Record<string, number> = {
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_GET_CRL: 3,
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 4,
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: 5,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6,
  CERT_SIGNATURE_FAILURE: 7,
  CRL_SIGNATURE_FAILURE: 8,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  CRL_NOT_YET_VALID: 11,
  CRL_HAS_EXPIRED: 12,
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 13,
  ERROR_IN_CERT_NOT_AFTER_FIELD: 14,
  ERROR_IN_CRL_LAST_UPDATE_FIELD: 15,
  ERROR_IN_CRL_NEXT_UPDATE_FIELD: 16,
  OUT_OF_MEM: 17,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21,
  CERT_CHAIN_TOO_LONG: 22,
  CERT_REVOKED: 23,
  INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  CERT_UNTRUSTED: 27,
  CERT_REJECTED: 28,
  HOSTNAME_MISMATCH: 62,
  EMAIL_MISMATCH: 63,
  IP_ADDRESS_MISMATCH: 64,
};

/** @internal Converts an error of Node's tls layer into Python's ssl exception. */
export function sslErrorFromNode(err: unknown, serverHostname?: string | null): Error {
  if (!(err instanceof Error)) return new SSLError(String(err));
  if (err instanceof OSError) return err;
  const e = err as Error & { code?: string; reason?: string; library?: string };
  const code = e.code ?? "";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const host = serverHostname ?? (e as { host?: string }).host ?? "";
    if (isIP(host)) return new SSLCertVerificationError(64, `IP address mismatch, certificate is not valid for '${host}'.`);
    return new SSLCertVerificationError(62, `Hostname mismatch, certificate is not valid for '${host}'.`);
  }
  if (code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
    // Node's verify callback lets OpenSSL go on past the missing issuer (20) to this
    // follow-up error; Python's verification stops at the first one.
    return new SSLCertVerificationError(20, "unable to get local issuer certificate");
  }
  if (Object.prototype.hasOwnProperty.call(X509_ERRORS, code)) {
    return new SSLCertVerificationError(X509_ERRORS[code]!, e.message);
  }
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_OSSL_")) {
    let library = "SSL";
    let reason = code.slice(code.startsWith("ERR_SSL_") ? 8 : 9);
    const m = /^(X509|PEM|EVP|ASN1|RSA|EC|BIO|PROV|DECODER)_(.*)$/.exec(reason);
    if (code.startsWith("ERR_OSSL_") && m) {
      library = m[1]!;
      reason = m[2]!;
    }
    const text = e.reason ?? e.message;
    return new SSLError(`[${library}: ${reason}] ${text}`, { library, reason });
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED") {
    const errno = { ECONNRESET: 104, EPIPE: 32, ECONNABORTED: 103 }[code];
    return osError(errno);
  }
  const out = new SSLError(e.message);
  out.stack = e.stack;
  return out;
}

// ---------------------------------------------------------------------------
// Certificates in Python's dict form

/** Python's decoded certificate (the dict form of `getpeercert()`); tuples are arrays. */
export interface PeerCert {
  subject: Array<Array<[string, string]>>;
  issuer: Array<Array<[string, string]>>;
  version: number;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  subjectAltName?: Array<[string, string]>;
  OCSP?: string[];
  caIssuers?: string[];
  crlDistributionPoints?: string[];
}

const NAME_KEYS: Record<string, string> = {
  C: "countryName",
  ST: "stateOrProvinceName",
  L: "localityName",
  O: "organizationName",
  OU: "organizationalUnitName",
  CN: "commonName",
  emailAddress: "emailAddress",
  DC: "domainComponent",
  serialNumber: "serialNumber",
  street: "streetAddress",
  UID: "userId",
  title: "title",
  SN: "surname",
  GN: "givenName",
  initials: "initials",
  pseudonym: "pseudonym",
  generationQualifier: "generationQualifier",
  dnQualifier: "dnQualifier",
  postalCode: "postalCode",
  businessCategory: "businessCategory",
  jurisdictionC: "jurisdictionCountryName",
  jurisdictionST: "jurisdictionStateOrProvinceName",
  jurisdictionL: "jurisdictionLocalityName",
};

// Node prints a name one RDN per line ("C=US\nCN=x"), multi-valued RDNs joined by "+".
function parseName(text: string): Array<Array<[string, string]>> {
  const out: Array<Array<[string, string]>> = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const rdn: Array<[string, string]> = [];
    for (const part of line.split(/(?<!\\)\+/)) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      const k = part.slice(0, eq);
      let v = part.slice(eq + 1);
      if (v.startsWith('"') && v.endsWith('"')) {
        try {
          v = JSON.parse(v) as string;
        } catch {
          // keep Node's text
        }
      }
      rdn.push([NAME_KEYS[k] ?? k, v.replace(/\\(.)/g, "$1")]);
    }
    if (rdn.length) out.push(rdn);
  }
  return out;
}

// Node: "DNS:a, IP Address:1.2.3.4"; values with special characters are JSON-quoted.
function splitEntries(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && text[i - 1] !== "\\") quoted = !quoted;
    if (!quoted && c === "," && text[i + 1] === " ") {
      out.push(cur);
      cur = "";
      i++;
      continue;
    }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function unquote(v: string): string {
  if (v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v;
    }
  }
  return v;
}

// Python prints IPv6 SANs as eight uppercase groups without "::" compression.
function pythonIPv6(addr: string): string {
  if (!addr.includes(":")) return addr;
  const [head, tail] = addr.includes("::") ? addr.split("::") as [string, string] : [addr, null];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16).toUpperCase()).join(":");
}

const SAN_KEYS: Record<string, string> = {
  DNS: "DNS",
  "IP Address": "IP Address",
  email: "email",
  URI: "URI",
  DirName: "DirName",
  "Registered ID": "Registered ID",
  othername: "othername",
};

// The X.509 version lives in the TBSCertificate's optional [0] field (absent means v1).
function certVersion(der: Buffer): number {
  let i = 0;
  const header = (): number => {
    i++;
    let len = der[i++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + der[i++]!;
    }
    return len;
  };
  try {
    if (der[i] !== 0x30) return 3;
    header();
    if (der[i] !== 0x30) return 3;
    header();
    if (der[i] !== 0xa0) return 1;
    header();
    if (der[i] !== 0x02) return 3;
    const len = header();
    return der[i + len - 1]! + 1;
  } catch {
    return 3;
  }
}

/** @internal Python's dict form of a certificate. */
export function decodeCert(cert: X509Certificate): PeerCert {
  const out: PeerCert = {
    subject: parseName(cert.subject),
    issuer: parseName(cert.issuer),
    version: certVersion(cert.raw),
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: cert.validFrom,
    notAfter: cert.validTo,
  };
  if (cert.subjectAltName) {
    const san: Array<[string, string]> = [];
    for (const entry of splitEntries(cert.subjectAltName)) {
      const c = entry.indexOf(":");
      if (c < 0) continue;
      const kind = entry.slice(0, c);
      let value = unquote(entry.slice(c + 1));
      if (kind === "IP Address") value = pythonIPv6(value);
      san.push([SAN_KEYS[kind] ?? kind, value]);
    }
    out.subjectAltName = san;
  }
  if (cert.infoAccess) {
    for (const line of cert.infoAccess.split("\n")) {
      const m = /^(OCSP|CA Issuers) - URI:(.*)$/.exec(line);
      if (!m) continue;
      const key = m[1] === "OCSP" ? "OCSP" : "caIssuers";
      (out[key] ??= []).push(unquote(m[2]!));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// SSLContext

const PEM_CERT = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----[\s\S]+?-----END (?:TRUSTED )?CERTIFICATE-----/g;

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw typeof e.errno === "number" ? osError(Math.abs(e.errno)) : err;
  }
}

function pathString(p: string | Uint8Array | { toString(): string }): string {
  return p instanceof Uint8Array ? Buffer.from(p).toString() : String(p);
}

// Splits concatenated DER certificates (cadata given as bytes).
function splitDer(data: Uint8Array): string[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: string[] = [];
  let i = 0;
  while (i < buf.length) {
    if (buf[i] !== 0x30) throw new SSLError("[X509: NOT_ENOUGH_DATA] not enough data", { library: "X509", reason: "NOT_ENOUGH_DATA" });
    let len = buf[i + 1]!;
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + buf[i + 2 + k]!;
      hdr += n;
    }
    const end = i + hdr + len;
    if (end > buf.length) throw new SSLError("[X509: NOT_ENOUGH_DATA] not enough data", { library: "X509", reason: "NOT_ENOUGH_DATA" });
    try {
      out.push(new X509Certificate(buf.subarray(i, end)).toString());
    } catch (err) {
      throw sslErrorFromNode(err);
    }
    i = end;
  }
  return out;
}

const TLS_VERSION_NAMES: Record<number, tls.SecureVersion> = {
  [TLSVersion.TLSv1]: "TLSv1",
  [TLSVersion.TLSv1_1]: "TLSv1.1",
  [TLSVersion.TLSv1_2]: "TLSv1.2",
  [TLSVersion.TLSv1_3]: "TLSv1.3",
};

/** Python's ssl.SSLContext: TLS settings shared by connections, as a thin wrapper over Node's tls options. */
export class SSLContext {
  /** The protocol the context was created with (PROTOCOL_TLS, PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER). */
  readonly protocol: number;
  /** Python's SSLContext.options bit mask (recorded; OP_NO_TLSv1_x narrow the version range). */
  options: number = OP_ALL | OP_NO_COMPRESSION;
  /** Whether a hostname that matches no name in the certificate only is checked against the common name. */
  hostnameChecksCommonName = true;
  private _checkHostname: boolean;
  private _verifyMode: VerifyModeValue;
  private _minimumVersion: number = TLSVersion.MINIMUM_SUPPORTED;
  private _maximumVersion: number = TLSVersion.MAXIMUM_SUPPORTED;
  private _cert: Buffer | null = null;
  private _key: Buffer | null = null;
  private _passphrase: string | undefined;
  private _ca: string[] = [];
  private _defaultCerts = false;
  private _ciphers: string | null = null;
  private _alpn: string[] | null = null;
  private _ecdhCurve: string | null = null;
  private _secureContext: tls.SecureContext | null = null;

  constructor(protocol: number = PROTOCOL_TLS) {
    if (protocol !== PROTOCOL_TLS && protocol !== PROTOCOL_TLS_CLIENT && protocol !== PROTOCOL_TLS_SERVER) {
      throw new ValueError(`invalid or unsupported protocol version ${protocol}`);
    }
    this.protocol = protocol;
    this._checkHostname = protocol === PROTOCOL_TLS_CLIENT;
    this._verifyMode = protocol === PROTOCOL_TLS_CLIENT ? CERT_REQUIRED : CERT_NONE;
  }

  /** Whether the peer certificate's hostname must match serverHostname (enabling it turns CERT_NONE into CERT_REQUIRED). */
  get checkHostname(): boolean {
    return this._checkHostname;
  }
  /** Sets whether the peer's hostname is checked. */
  set checkHostname(value: boolean) {
    value = !!value;
    if (value && this._verifyMode === CERT_NONE) this._verifyMode = CERT_REQUIRED;
    this._checkHostname = value;
  }

  /** CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED. */
  get verifyMode(): VerifyModeValue {
    return this._verifyMode;
  }
  /** Sets whether and how the peer's certificate is verified. */
  set verifyMode(value: VerifyModeValue) {
    if (value !== CERT_NONE && value !== CERT_OPTIONAL && value !== CERT_REQUIRED) {
      throw new ValueError("invalid value for verify_mode");
    }
    if (value === CERT_NONE && this._checkHostname) {
      throw new ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
    }
    this._verifyMode = value;
  }

  /** The lowest TLS version allowed (a TLSVersion value). */
  get minimumVersion(): number {
    return this._minimumVersion;
  }
  /** Sets the lowest TLS version allowed. */
  set minimumVersion(v: number) {
    this._checkVersion(v);
    this._minimumVersion = v;
    this._changed();
  }

  /** The highest TLS version allowed (a TLSVersion value). */
  get maximumVersion(): number {
    return this._maximumVersion;
  }
  /** Sets the highest TLS version allowed. */
  set maximumVersion(v: number) {
    this._checkVersion(v);
    this._maximumVersion = v;
    this._changed();
  }

  private _checkVersion(v: number): void {
    if (v !== TLSVersion.MINIMUM_SUPPORTED && v !== TLSVersion.MAXIMUM_SUPPORTED && !(v in TLS_VERSION_NAMES)) {
      throw new ValueError(`Unsupported TLS/SSL version 0x${v.toString(16)}`);
    }
  }

  /** The security level OpenSSL applies (Node's default build: 1). */
  get securityLevel(): number {
    return 1;
  }

  private _changed(): void {
    this._secureContext = null;
  }

  /** Loads a certificate chain and its private key (from `keyfile`, or from `certfile` when omitted). */
  loadCertChain(
    certfile: string | Uint8Array,
    keyfile?: string | Uint8Array | null,
    password?: string | Uint8Array | (() => string | Uint8Array) | null,
  ): void {
    const cert = readFile(pathString(certfile));
    const key = keyfile === undefined || keyfile === null ? cert : readFile(pathString(keyfile));
    let passphrase: string | undefined;
    if (password !== undefined && password !== null) {
      const p = typeof password === "function" ? password() : password;
      if (typeof p !== "string" && !(p instanceof Uint8Array)) {
        throw new TypeError("password callback must return a string");
      }
      passphrase = typeof p === "string" ? p : Buffer.from(p).toString();
    }
    try {
      tls.createSecureContext({ cert, key, passphrase });
    } catch (err) {
      const e = err as { code?: string };
      if (e.code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH") {
        throw new SSLError("[X509: KEY_VALUES_MISMATCH] key values mismatch", { library: "X509", reason: "KEY_VALUES_MISMATCH" });
      }
      throw new SSLError("[SSL] PEM lib", { errno: 9, library: "SSL", reason: "PEM lib" });
    }
    this._cert = cert;
    this._key = key;
    this._passphrase = passphrase;
    this._changed();
  }

  /** Adds trusted CA certificates from a PEM file, a directory of PEM files, or PEM text / DER bytes. */
  loadVerifyLocations(cafile?: string | Uint8Array | null, capath?: string | Uint8Array | null, cadata?: string | Uint8Array | null): void {
    if ((cafile === undefined || cafile === null) && (capath === undefined || capath === null) && (cadata === undefined || cadata === null)) {
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    }
    const added: string[] = [];
    if (cafile !== undefined && cafile !== null) {
      const text = readFile(pathString(cafile)).toString("latin1");
      const certs = text.match(PEM_CERT);
      if (!certs) throw new SSLError("[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found", { library: "X509", reason: "NO_CERTIFICATE_OR_CRL_FOUND" });
      added.push(...certs);
    }
    if (capath !== undefined && capath !== null) {
      const dir = pathString(capath);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw typeof e.errno === "number" ? osError(Math.abs(e.errno)) : err;
      }
      for (const name of names.sort()) {
        const p = join(dir, name);
        try {
          if (!statSync(p).isFile()) continue;
          const certs = readFileSync(p, "latin1").match(PEM_CERT);
          if (certs) added.push(...certs);
        } catch {
          // OpenSSL skips unreadable entries of a hashed directory as well
        }
      }
    }
    if (cadata !== undefined && cadata !== null) {
      if (typeof cadata === "string") {
        const certs = cadata.match(PEM_CERT);
        if (!certs) throw new SSLError("[X509: NO_CERTIFICATE_OR_CRL_FOUND] no start line: cadata does not contain a certificate", { library: "X509", reason: "NO_CERTIFICATE_OR_CRL_FOUND" });
        added.push(...certs);
      } else if (cadata instanceof Uint8Array) {
        added.push(...splitDer(cadata));
      } else {
        throw new TypeError("cadata should be an ASCII string or a bytes-like object");
      }
    }
    for (const pem of added) {
      try {
        new X509Certificate(pem);
      } catch (err) {
        throw sslErrorFromNode(err);
      }
    }
    this._ca.push(...added);
    this._changed();
  }

  /** Trusts the default CA certificates (Node's root store, which honours NODE_EXTRA_CA_CERTS and --use-openssl-ca). */
  loadDefaultCerts(_purpose: Purpose = Purpose.SERVER_AUTH): void {
    this.setDefaultVerifyPaths();
  }

  /** Python's set_default_verify_paths(): trusts the default CA certificates. */
  setDefaultVerifyPaths(): void {
    this._defaultCerts = true;
    this._changed();
  }

  /** Sets the TLS 1.2-and-below cipher list (OpenSSL cipher string); SSLError when nothing matches. */
  setCiphers(ciphers: string): void {
    if (typeof ciphers !== "string") throw new TypeError("ciphers must be a str");
    try {
      tls.createSecureContext({ ciphers });
    } catch {
      throw new SSLError("No cipher can be selected.", { library: null, reason: null });
    }
    this._ciphers = ciphers;
    this._changed();
  }

  /** The enabled ciphers, as dicts with Python's `name` and `protocol` keys (others are not available). */
  getCiphers(): Array<{ name: string; protocol: string }> {
    return tls.getCiphers().map((name) => ({ name: name.toUpperCase(), protocol: name.startsWith("tls_") ? "TLSv1.3" : "TLSv1.2" }));
  }

  /** The protocols offered/accepted through ALPN, in order of preference. */
  setAlpnProtocols(alpnProtocols: Iterable<string>): void {
    const list = [...alpnProtocols];
    for (const p of list) {
      if (typeof p !== "string" || p.length === 0 || Buffer.byteLength(p) > 255) {
        throw new ValueError("ALPN protocols must be 1 to 255 in length");
      }
    }
    this._alpn = list;
  }

  /** Python's set_npn_protocols: NPN is not available (it was removed from OpenSSL's defaults); a no-op. */
  setNpnProtocols(_protocols: Iterable<string>): void {}

  /** Sets the curve used for ECDH key exchange. */
  setEcdhCurve(curveName: string): void {
    try {
      tls.createSecureContext({ ecdhCurve: curveName });
    } catch {
      throw new ValueError(`unknown elliptic curve name '${curveName}'`);
    }
    this._ecdhCurve = curveName;
    this._changed();
  }

  /** The CA certificates loaded through loadVerifyLocations (dicts, or DER bytes with binaryForm). */
  getCaCerts(binaryForm = false): Array<PeerCert | Buffer> {
    return this._ca.map((pem) => {
      const c = new X509Certificate(pem);
      return binaryForm ? c.raw : decodeCert(c);
    });
  }

  /** Counts of loaded certificates, as Python's cert_store_stats(). */
  certStoreStats(): { x509: number; crl: number; x509_ca: number } {
    let ca = 0;
    for (const pem of this._ca) if (new X509Certificate(pem).ca) ca++;
    return { x509: this._ca.length, crl: 0, x509_ca: ca };
  }

  /** @internal The ALPN protocols, or null. */
  _alpnProtocols(): string[] | null {
    return this._alpn ? [...this._alpn] : null;
  }

  /** @internal Whether a certificate chain was loaded. */
  _hasCert(): boolean {
    return this._cert !== null;
  }

  private _versionRange(): { minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion } {
    const out: { minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion } = {};
    let min = this._minimumVersion;
    let max = this._maximumVersion;
    if (this.options & OP_NO_TLSv1_3 && (max === TLSVersion.MAXIMUM_SUPPORTED || max > TLSVersion.TLSv1_2)) max = TLSVersion.TLSv1_2;
    if (this.options & OP_NO_TLSv1_2 && min === TLSVersion.TLSv1_2) min = TLSVersion.TLSv1_3;
    if (min !== TLSVersion.MINIMUM_SUPPORTED) out.minVersion = TLS_VERSION_NAMES[min];
    if (max !== TLSVersion.MAXIMUM_SUPPORTED) out.maxVersion = TLS_VERSION_NAMES[max];
    // Node rejects a range whose default end lies on the wrong side of the given one.
    if (out.maxVersion && !out.minVersion && max < TLSVersion.TLSv1_2) out.minVersion = out.maxVersion;
    if (out.minVersion && !out.maxVersion && min > TLSVersion.TLSv1_3) out.maxVersion = out.minVersion;
    return out;
  }

  /** @internal The Node SecureContext for these settings (built once, rebuilt after a change). */
  _getSecureContext(): tls.SecureContext {
    if (this._secureContext) return this._secureContext;
    const opts: tls.SecureContextOptions = { ...this._versionRange() };
    if (this._cert) {
      opts.cert = this._cert;
      opts.key = this._key ?? undefined;
      if (this._passphrase !== undefined) opts.passphrase = this._passphrase;
    }
    if (this._ca.length) opts.ca = this._defaultCerts ? [...tls.rootCertificates, ...this._ca] : [...this._ca];
    // Python starts from an empty trust store: without loaded CAs nothing verifies.
    else if (!this._defaultCerts) opts.ca = [];
    if (this._ciphers !== null) opts.ciphers = this._ciphers;
    if (this._ecdhCurve !== null) opts.ecdhCurve = this._ecdhCurve;
    try {
      this._secureContext = tls.createSecureContext(opts);
    } catch (err) {
      throw sslErrorFromNode(err);
    }
    return this._secureContext;
  }

  /** Python's repr. */
  toString(): string {
    return `<ssl.SSLContext object protocol=${this.protocol}>`;
  }
}

/** Python's ssl.create_default_context(): a client context (SERVER_AUTH) or a server context (CLIENT_AUTH) with secure defaults. */
export function createDefaultContext(
  purpose: Purpose = Purpose.SERVER_AUTH,
  options?: { cafile?: string | null; capath?: string | null; cadata?: string | Uint8Array | null },
): SSLContext {
  if (!(purpose instanceof Purpose)) throw new TypeError(String(purpose));
  const ctx = new SSLContext(purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER);
  const { cafile = null, capath = null, cadata = null } = options ?? {};
  if (cafile !== null || capath !== null || cadata !== null) ctx.loadVerifyLocations(cafile, capath, cadata);
  else if (ctx.verifyMode !== CERT_NONE) ctx.loadDefaultCerts(purpose);
  return ctx;
}

// ---------------------------------------------------------------------------
// SSLObject

/** The parts of Node's TLSSocket an SSLObject reads. */
interface TlsInfoSource {
  getPeerX509Certificate(): X509Certificate | undefined;
  getCipher(): tls.CipherNameAndProtocol;
  getProtocol(): string | null;
  isSessionReused(): boolean;
  alpnProtocol: string | false | null;
  getFinished(): Buffer | undefined;
  getPeerFinished(): Buffer | undefined;
  getSharedSigalgs?(): string[];
}

function cipherBits(name: string): number {
  if (/CHACHA20/i.test(name)) return 256;
  const m = /AES[_-]?(128|256)/i.exec(name);
  if (m) return Number(m[1]);
  if (/3DES|DES-CBC3/i.test(name)) return 168;
  if (/CAMELLIA[_-]?(256)/i.test(name)) return 256;
  if (/CAMELLIA/i.test(name)) return 128;
  return 0;
}

/** Python's ssl.SSLObject: the TLS state of one connection (`getExtraInfo("ssl_object")`). */
export class SSLObject {
  /** @internal */ readonly _tls: TlsInfoSource;
  // Node may stop reporting the peer's certificate once TLS 1.3 session tickets arrive; Python keeps it.
  private readonly _peerCert: X509Certificate | undefined;
  /** Whether this is the server side. */
  readonly serverSide: boolean;
  /** The hostname the client asked for (null on the server side). */
  readonly serverHostname: string | null;
  /** The SSLContext the object was created with. */
  readonly context: SSLContext;

  /** @internal */
  constructor(tlsSocket: TlsInfoSource, context: SSLContext, serverSide: boolean, serverHostname: string | null) {
    this._tls = tlsSocket;
    this._peerCert = tlsSocket.getPeerX509Certificate();
    this.context = context;
    this.serverSide = serverSide;
    this.serverHostname = serverHostname;
  }

  /**
   * The peer's certificate: Python's dict form, `{}` when it was not validated
   * (CERT_NONE), null when the peer sent none; DER bytes with binaryForm.
   */
  getpeercert(binaryForm = false): PeerCert | Record<string, never> | Buffer | null {
    const cert = this._peerCert;
    if (!cert) return null;
    if (binaryForm) return cert.raw;
    if (this.context.verifyMode === CERT_NONE) return {};
    return decodeCert(cert);
  }

  /** `[name, protocol, secretBits]` of the negotiated cipher. */
  cipher(): [string, string, number] | null {
    const c = this._tls.getCipher();
    if (!c) return null;
    return [c.name, c.version, cipherBits(c.name)];
  }

  /** The compression algorithm: always null (Node disables TLS compression). */
  compression(): string | null {
    return null;
  }

  /** The negotiated protocol version ("TLSv1.3", ...). */
  version(): string | null {
    return this._tls.getProtocol();
  }

  /** The protocol chosen through ALPN, or null. */
  selectedAlpnProtocol(): string | null {
    return this._tls.alpnProtocol || null;
  }

  /** Python's selected_npn_protocol(): NPN is not supported, always null. */
  selectedNpnProtocol(): string | null {
    return null;
  }

  /** Whether the session was resumed. */
  get sessionReused(): boolean {
    return this._tls.isSessionReused();
  }

  /** Buffered decrypted bytes: always 0 (the transport hands them over as they arrive). */
  pending(): number {
    return 0;
  }

  /** The "tls-unique" channel binding (RFC 5929), or null before the handshake. */
  getChannelBinding(cbType = "tls-unique"): Buffer | null {
    if (cbType !== "tls-unique") throw new ValueError(`${cbType} channel binding type not implemented`);
    const own = this.serverSide !== this.sessionReused;
    return (own ? this._tls.getPeerFinished() : this._tls.getFinished()) ?? null;
  }

  /** Python's repr. */
  toString(): string {
    return `<ssl.SSLObject object server_side=${this.serverSide}>`;
  }
}
