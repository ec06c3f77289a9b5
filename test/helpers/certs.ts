// Test certificates: a CA, a server certificate it signs (localhost, 127.0.0.1,
// ::1), a client certificate, and a second CA with a "localhost" certificate
// nobody trusts. Generated with the openssl CLI into a temporary directory;
// where openssl is missing, a fixed set (valid 2000-2100) is written instead.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Paths of the generated files. */
export interface TestCerts {
  dir: string;
  /** The trusted CA (PEM). */
  caFile: string;
  /** A CA no test trusts. */
  otherCaFile: string;
  /** Server certificate for localhost / 127.0.0.1 / ::1, signed by caFile. */
  serverCert: string;
  serverKey: string;
  /** Certificate and key in one file. */
  serverCertKey: string;
  /** Client certificate (clientAuth), signed by caFile. */
  clientCert: string;
  clientKey: string;
  /** A "localhost" certificate signed by otherCaFile. */
  rogueCert: string;
  rogueKey: string;
  /** Whether the openssl CLI made them (false: the embedded fallback). */
  generated: boolean;
  cleanup(): void;
}

const EMBEDDED: Record<string, string> = {
  "ca.pem": `-----BEGIN CERTIFICATE-----
MIIBszCCAVigAwIBAgICEAEwCgYIKoZIzj0EAwIwPzELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxGDAWBgNVBAMMD3RzeW5jaW8gdGVzdCBDQTAg
Fw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowPzELMAkGA1UEBhMCWFkx
FjAUBgNVBAoMDXRzeW5jaW8gdGVzdHMxGDAWBgNVBAMMD3RzeW5jaW8gdGVzdCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCmKOGunYr8SwANnji2EdZ1vm4St
d6tLJ1f3XrHVU+ao3JOO1I48l+mTSxpo3zviwjr2bJKdcNBHuftldJp2HTWjQjBA
MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBRA7De8
hweitN/PJwuNuUgPNc60VTAKBggqhkjOPQQDAgNJADBGAiEAsSSv+/nTJgKdWG5W
MmOb/6ZpoQXZnnjSXmlRgOv8x18CIQDtGX31EhIWlIgYxtQ5p6mkoll3jINiQf+W
z23DTWwgsw==
-----END CERTIFICATE-----
`,
  "other-ca.pem": `-----BEGIN CERTIFICATE-----
MIIBqzCCAVKgAwIBAgICEAIwCgYIKoZIzj0EAwIwPDELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxFTATBgNVBAMMDHVudHJ1c3RlZCBDQTAgFw0w
MDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowPDELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxFTATBgNVBAMMDHVudHJ1c3RlZCBDQTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABPnraaDuycHa94fWOWEV7hp4SXKB683RP484
jLDbKNTLCaUlOR+YToVHEYYD9xQpYFK6w4US+g+1ZcghYGnhZTKjQjBAMA8GA1Ud
EwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBQaD8N541364TLg
o6+i3ErzUSEJgTAKBggqhkjOPQQDAgNHADBEAiBtmAWkj7FGq+kugmNuOb6Wet+n
dJu51ldZCC+xSDL6SwIgeYFxo1b8dO3zoKoPazxga2LsQu4t9r8Y5N4sD2o/GOw=
-----END CERTIFICATE-----
`,
  "server.pem": `-----BEGIN CERTIFICATE-----
MIICdjCCAhygAwIBAgICEAMwCgYIKoZIzj0EAwIwPzELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxGDAWBgNVBAMMD3RzeW5jaW8gdGVzdCBDQTAg
Fw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowTjELMAkGA1UEBhMCWFkx
EzARBgNVBAgMClRlc3QgU3RhdGUxFjAUBgNVBAoMDXRzeW5jaW8gdGVzdHMxEjAQ
BgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE4RhhTH
RC3k6ZNdSFC76t8f0ZOisC91W3Zix1YM7BJ8y0dmmTfkH9dkrnbuvYlM8Nc+mz32
ZcMZ6NMc3yo0tTOjgfYwgfMwLAYDVR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAA
AAAAAAAAAAAAAAAAAAABMAkGA1UdEwQCMAAwCwYDVR0PBAQDAgWgMBMGA1UdJQQM
MAoGCCsGAQUFBwMBMFYGCCsGAQUFBwEBBEowSDAgBggrBgEFBQcwAYYUaHR0cDov
L29jc3AuZXhhbXBsZS8wJAYIKwYBBQUHMAKGGGh0dHA6Ly9jYS5leGFtcGxlL2Nh
LnBlbTAdBgNVHQ4EFgQUqq+THOPxh1v4q32vbo/uuaMclBAwHwYDVR0jBBgwFoAU
QOw3vIcHorTfzycLjblIDzXOtFUwCgYIKoZIzj0EAwIDSAAwRQIhAJizrKGnqLAu
71Y869PmUtb2RuyaSyPfaWgT+sYzQgElAiANC+V4jU2Si8ArPH9H2fZWoxE5PtLn
ZleU5V5cXoL8Bw==
-----END CERTIFICATE-----
`,
  "server.key": `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPiMV5SV3bhEufZNW
wxoMM4APCb+WlCULjummNtRkZy+hRANCAAROEYYUx0Qt5OmTXUhQu+rfH9GTorAv
dVt2YsdWDOwSfMtHZpk35B/XZK527r2JTPDXPps99mXDGejTHN8qNLUz
-----END PRIVATE KEY-----
`,
  "client.pem": `-----BEGIN CERTIFICATE-----
MIIB3DCCAYGgAwIBAgICEAQwCgYIKoZIzj0EAwIwPzELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxGDAWBgNVBAMMD3RzeW5jaW8gdGVzdCBDQTAg
Fw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowOzELMAkGA1UEBhMCWFkx
FjAUBgNVBAoMDXRzeW5jaW8gdGVzdHMxFDASBgNVBAMMC3Rlc3QgY2xpZW50MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkynnrUvTtUNdyvyVgTkWh7XNkew+qFPl
6PCECuyn0mrbT6F251qafSmTqaOpnbIZENVsAfLF6FdlT6q2L1elOaNvMG0wCQYD
VR0TBAIwADALBgNVHQ8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0O
BBYEFEoxIvIZKCl02I8XEq3NT+mZwE8qMB8GA1UdIwQYMBaAFEDsN7yHB6K0388n
C425SA81zrRVMAoGCCqGSM49BAMCA0kAMEYCIQDLN8K+mwXZyXTzeQHLBnP7zjWl
4HHUZ6FIWpu1R5+vwQIhAOk0QHwqQSV+2QfYpr/Q+q7Ik8af8fN9FPdIr85PF02T
-----END CERTIFICATE-----
`,
  "client.key": `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHvJwh21kLiDtQ5xm
FH0DXwYwo/Ns/yTKotqGA/W8RX6hRANCAASTKeetS9O1Q13K/JWBORaHtc2R7D6o
U+Xo8IQK7KfSattPoXbnWpp9KZOpo6mdshkQ1WwB8sXoV2VPqrYvV6U5
-----END PRIVATE KEY-----
`,
  "rogue.pem": `-----BEGIN CERTIFICATE-----
MIICXzCCAgSgAwIBAgICEAUwCgYIKoZIzj0EAwIwPDELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxFTATBgNVBAMMDHVudHJ1c3RlZCBDQTAgFw0w
MDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowOTELMAkGA1UEBhMCWFkxFjAU
BgNVBAoMDXRzeW5jaW8gdGVzdHMxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqG
SM49AgEGCCqGSM49AwEHA0IABAAGRuRdnsVEnyeqTsTfFzY7nDHJlE/baSMGJ8wu
zTQPIV1i26k2KpS/YatIRkGSlBtdCGmmtOx67XGoB9+atPyjgfYwgfMwLAYDVR0R
BCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAAAAAAAAAAAAAAAAABMAkGA1UdEwQC
MAAwCwYDVR0PBAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMBMFYGCCsGAQUFBwEB
BEowSDAgBggrBgEFBQcwAYYUaHR0cDovL29jc3AuZXhhbXBsZS8wJAYIKwYBBQUH
MAKGGGh0dHA6Ly9jYS5leGFtcGxlL2NhLnBlbTAdBgNVHQ4EFgQUTfHy2hrw2Syx
LYa8VBoUTE+z6yowHwYDVR0jBBgwFoAUGg/DeeNd+uEy4KOvotxK81EhCYEwCgYI
KoZIzj0EAwIDSQAwRgIhAP1N+2YdeTobHVh2V7Vi5VJ1iSAXwNtfr5bHMvAe0AT5
AiEA/93ETC7Ar0VT+dYs413E9EYvWg/XEQxMvmOj5WfomLE=
-----END CERTIFICATE-----
`,
  "rogue.key": `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoYlyOPFk8QwVJf3G
MN0rxKiP+jicnQYULTOnmyynR+KhRANCAAQABkbkXZ7FRJ8nqk7E3xc2O5wxyZRP
22kjBifMLs00DyFdYtupNiqUv2GrSEZBkpQbXQhpprTseu1xqAffmrT8
-----END PRIVATE KEY-----
`
};

const SERVER_EXT = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n" +
  "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
  "authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/ca.pem\n";
const CLIENT_EXT = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n";

function opensslWorks(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

function generate(dir: string): void {
  const run = (args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const caExt = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
  run(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/C=XY/O=tsyncio tests/CN=tsyncio test CA", ...caExt]);
  run(["req", "-x509", ...ec, "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "3650", "-subj", "/C=XY/O=tsyncio tests/CN=untrusted CA", ...caExt]);
  writeFileSync(join(dir, "server.ext"), SERVER_EXT);
  writeFileSync(join(dir, "client.ext"), CLIENT_EXT);
  const leaf = (name: string, subj: string, ca: string, ext: string, serial: string): void => {
    run(["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj]);
    run(["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-set_serial", serial,
      "-out", `${name}.pem`, "-days", "3650", "-extfile", ext]);
  };
  leaf("server", "/C=XY/ST=Test State/O=tsyncio tests/CN=localhost", "ca", "server.ext", "0x1001");
  leaf("client", "/C=XY/O=tsyncio tests/CN=test client", "ca", "client.ext", "0x1002");
  leaf("rogue", "/C=XY/O=tsyncio tests/CN=localhost", "other-ca", "server.ext", "0x2001");
}

/** Creates the certificates in a new temporary directory (call cleanup() when done). */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-certs-"));
  let generated = false;
  if (opensslWorks()) {
    try {
      generate(dir);
      generated = true;
    } catch {
      generated = false;
    }
  }
  if (!generated) {
    for (const [name, text] of Object.entries(EMBEDDED)) writeFileSync(join(dir, name), text);
  }
  const p = (n: string): string => join(dir, n);
  writeFileSync(p("server-certkey.pem"), readFileSync(p("server.pem"), "utf8") + readFileSync(p("server.key"), "utf8"));
  return {
    dir,
    caFile: p("ca.pem"),
    otherCaFile: p("other-ca.pem"),
    serverCert: p("server.pem"),
    serverKey: p("server.key"),
    serverCertKey: p("server-certkey.pem"),
    clientCert: p("client.pem"),
    clientKey: p("client.key"),
    rogueCert: p("rogue.pem"),
    rogueKey: p("rogue.key"),
    generated,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
