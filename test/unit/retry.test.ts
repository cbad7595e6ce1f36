import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/errors.js";
import { RetriesExhausted, retrying } from "../../src/retry.js";

class Flaky extends Error {}

describe("retrying (p-retry with sn11's rules)", () => {
  it("retries what may succeed, and reports each failure with whether it is retried", async () => {
    const seen: [string, number, boolean][] = [];
    let calls = 0;
    const value = await retrying(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Flaky(`try ${attempt}`);
        return "ok";
      },
      {
        attempts: 3,
        delayMs: 1,
        retryable: (e) => e instanceof Flaky,
        onFailure: (e, attempt, again) => seen.push([e.message, attempt, again]),
      },
    );
    expect(value).toBe("ok");
    expect(calls).toBe(3);
    expect(seen).toEqual([
      ["try 1", 1, true],
      ["try 2", 2, true],
    ]);
  });

  it("running out of attempts is RetriesExhausted with the last error; a non-retryable error is thrown as it is", async () => {
    const exhausted = retrying(
      async (attempt) => {
        throw new Flaky(`try ${attempt}`);
      },
      { attempts: 2, delayMs: 1, retryable: (e) => e instanceof Flaky },
    );
    await expect(exhausted).rejects.toBeInstanceOf(RetriesExhausted);
    await expect(exhausted).rejects.toMatchObject({ attempts: 2, cause: { message: "try 2" } });
    let calls = 0;
    const fatal = retrying(
      async () => {
        calls++;
        throw new TypeError("a bug");
      },
      { attempts: 5, delayMs: 1, retryable: (e) => e instanceof Flaky },
    );
    await expect(fatal).rejects.toThrow("a bug");
    expect(calls).toBe(1);
  });

  it("a stop during the backoff is a CancelledError at once", async () => {
    const controller = new AbortController();
    // A 60 s backoff: only the stop ends it within the test's timeout.
    const run = retrying(
      async () => {
        setTimeout(() => controller.abort(), 5);
        throw new Flaky("down");
      },
      { attempts: 3, delayMs: 60_000, retryable: () => true, signal: controller.signal },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});
