import { describe, expect, it } from "vitest";
import { ConfigError, NetworkError } from "../../src/errors.js";
import { postgresError } from "../../src/store/shared/postgres-errors.js";
import { redactedStoreUrl, withLibpqSslModes } from "../../src/store/shared/postgres-url.js";

const at = "postgres://sn11@db/sn11";

describe("PostgreSQL failures in sn11's terms", () => {
  it.each([
    ["a refused login", { code: "28P01", message: "password authentication failed" }, ConfigError],
    ["no pg_hba entry", { code: "28000", message: "no pg_hba.conf entry" }, ConfigError],
    ["a missing database", { code: "3D000", message: 'database "x" does not exist' }, ConfigError],
    [
      "TLS asked of a server without it",
      { message: "The server does not support SSL connections" },
      ConfigError,
    ],
    [
      "a self-signed certificate",
      { code: "DEPTH_ZERO_SELF_SIGNED_CERT", message: "self-signed certificate" },
      ConfigError,
    ],
    [
      "a certificate for another host",
      { code: "ERR_TLS_CERT_ALTNAME_INVALID", message: "Hostname/IP does not match" },
      ConfigError,
    ],
    ["connection refused", { code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, NetworkError],
    ["an unknown host", { code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND db" }, NetworkError],
    ["a server shutting down", { code: "57P01", message: "terminating connection" }, NetworkError],
    ["a connection exception", { code: "08006", message: "connection failure" }, NetworkError],
    ["a dropped socket", { message: "Connection terminated unexpectedly" }, NetworkError],
    ["a client-side timeout", { message: "Query read timeout" }, NetworkError],
  ])("%s", (_name, error, kind) => {
    const mapped = postgresError(Object.assign(new Error(error.message), error), at);
    expect(mapped).toBeInstanceOf(kind);
    expect((mapped as Error).message).toContain(at);
  });

  it("anything else (a constraint, a syntax error) stays what it is: a bug", () => {
    const error = Object.assign(new Error("duplicate key"), { code: "23505" });
    expect(postgresError(error, at)).toBe(error);
  });

  it.each([
    ["postgres://sn11:s3cret@db:5432/sn11", "postgres://sn11:***@db:5432/sn11"],
    ["postgres://sn11@db/sn11", "postgres://sn11@db/sn11"],
    ["postgresql://u:p%40ss@h/d?sslmode=require", "postgresql://u:***@h/d?sslmode=require"],
    ["not a url", "postgres://(unparsable URL)"],
  ])("%s is shown as %s", (url, shown) => {
    expect(redactedStoreUrl(url)).toBe(shown);
  });

  it.each([
    ["postgres://u@h/d?sslmode=require", "postgres://u@h/d?sslmode=require&uselibpqcompat=true"],
    ["postgres://u@h/d?sslmode=verify-full", "postgres://u@h/d?sslmode=verify-full&uselibpqcompat=true"],
    [
      "postgres://u@h/d?sslmode=require&uselibpqcompat=false",
      "postgres://u@h/d?sslmode=require&uselibpqcompat=false",
    ],
    ["postgres://u@h/d", "postgres://u@h/d"],
  ])("%s connects as %s (libpq's sslmode semantics)", (url, connected) => {
    expect(withLibpqSslModes(url)).toBe(connected);
  });
});
