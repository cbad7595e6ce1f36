import { config, throwError } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { routeUnhandledRxErrors } from "../../src/chain/rx-errors.js";
import { createLogger } from "../../src/log.js";

describe("an RxJS error nobody handles (@polkadot/api's runtime-version subscription)", () => {
  afterEach(() => {
    config.onUnhandledError = null;
  });

  it("is a warning in the log, not an uncaught exception that ends the daemon", async () => {
    const lines: string[] = [];
    routeUnhandledRxErrors(createLogger({ write: (s) => lines.push(s) > 0 }, "warn"));
    throwError(() => new Error("No response received from RPC endpoint in 5s")).subscribe();
    await new Promise((r) => setTimeout(r, 20));
    expect(lines.join("")).toMatch(/a chain subscription failed; calls go on/);
    expect(lines.join("")).toMatch(/No response received from RPC endpoint in 5s/);
  });
});
