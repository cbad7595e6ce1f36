import { ConfigError, NetworkError } from "../../errors.js";

/** Node's TLS verification failures: the certificate, not the network. */
const TLS_TRUST_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
]);

/**
 * A PostgreSQL failure in sn11's terms: the database unreachable or gone away is a network error (69, the
 * worker retries), a refused login or a missing database a configuration error (78). Anything else — a
 * constraint, a syntax error — is a bug and stays what it is.
 */
export function postgresError(error: unknown, where: string): unknown {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  const code = e?.code ?? "";
  if (code === "28P01" || code === "28000") {
    return new ConfigError(`the shared store ${where} refused the login: ${message}`, {
      hint: "check the user and password in --store (or SN11_STORE)",
      cause: error,
    });
  }
  if (code === "3D000") {
    return new ConfigError(`the shared store ${where} has no such database: ${message}`, {
      hint: "create it (createdb) or fix the database name in --store",
      cause: error,
    });
  }
  if (TLS_TRUST_CODES.has(code)) {
    return new ConfigError(
      `the shared store ${where} has a certificate this box does not trust: ${message}`,
      {
        hint: "give its CA as sslrootcert=/path/ca.crt in --store (verify-full also checks the host name), or sslmode=require to encrypt without checking",
        cause: error,
      },
    );
  }
  if (/does not support SSL/i.test(message)) {
    return new ConfigError(`the shared store ${where} does not accept TLS: ${message}`, {
      hint: "turn ssl on in its postgresql.conf, or leave sslmode out of --store on a trusted network",
      cause: error,
    });
  }
  if (
    CONNECTION_CODES.has(code) ||
    code.startsWith("08") ||
    code.startsWith("57P") ||
    /connection terminated|timeout|Connection refused/i.test(message)
  ) {
    return new NetworkError(`cannot reach the shared store ${where}: ${message}`, {
      hint: "check that PostgreSQL runs and accepts connections from this box (listen_addresses, pg_hba.conf)",
      cause: error,
    });
  }
  return error;
}
