import type { ApiPromise } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import { ChainError, NetworkError } from "../errors.js";

export interface TxOutcome {
  readonly txHash: string;
  readonly blockHash: string;
  /** Null when the block's header could not be read after inclusion (the hash is still known). */
  readonly blockNumber: number | null;
  /** The extrinsic's own events, as `section.method`. */
  readonly events: readonly string[];
}

/** The transaction reached the node, but the connection dropped before its fate was known. */
export class SubmissionUnknownError extends NetworkError {
  constructor(
    readonly txHash: string,
    cause: unknown,
  ) {
    super(`the connection dropped after sending transaction ${txHash}; whether it landed is unknown`, {
      hint: "read the chain state back to see whether it landed before sending again",
      cause,
    });
  }
}

/** A module error the chain returned, by name, with a hint for the ones a user can act on. */
export class DispatchError extends ChainError {
  constructor(
    readonly section: string,
    readonly errorName: string,
    message: string,
    hint?: string,
  ) {
    super(message, hint === undefined ? {} : { hint });
  }
}

export type HintFor = (section: string, name: string) => string | undefined;

/**
 * Signs with a pool-aware nonce and a 128-block era (as the SDK does), waits for inclusion, and turns the
 * outcome into a value or a typed error. Pool rejections (bad signature, stale nonce) are chain errors.
 */
export async function submitAndWatch(
  api: ApiPromise,
  tx: SubmittableExtrinsic<"promise">,
  signer: KeyringPair,
  options: { timeoutMs: number; hintFor?: HintFor },
): Promise<TxOutcome> {
  const nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  const signed = await tx.signAsync(signer, { nonce, era: 128 });
  const txHash = signed.hash.toHex();
  return new Promise<TxOutcome>((resolve, reject) => {
    let settled = false;
    let attempted = false;
    let unsubscribe: (() => void) | undefined;
    const finish = (error: Error | null, value?: TxOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      api.off("disconnected", onDisconnect);
      unsubscribe?.();
      if (error) reject(error);
      else resolve(value as TxOutcome);
    };
    const onDisconnect = () => {
      if (attempted) finish(new SubmissionUnknownError(txHash, new Error("disconnected")));
    };
    const timer = setTimeout(
      () =>
        finish(
          new SubmissionUnknownError(txHash, new Error(`no inclusion within ${options.timeoutMs / 1000} s`)),
        ),
      options.timeoutMs,
    );
    api.on("disconnected", onDisconnect);
    const onStatus = async (result: ISubmittableResult) => {
      const { status, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(new ChainError(`transaction ${txHash} was ${status.type.toLowerCase()} by the node`));
        return;
      }
      if (!status.isInBlock && !status.isFinalized) return;
      const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
      if (dispatchError) {
        if (dispatchError.isModule) {
          const meta = api.registry.findMetaError(dispatchError.asModule);
          finish(
            new DispatchError(
              meta.section,
              meta.name,
              `the chain refused it: ${meta.section}.${meta.name}${meta.docs.length ? ` (${meta.docs.join(" ").trim()})` : ""}`,
              options.hintFor?.(meta.section, meta.name),
            ),
          );
        } else finish(new ChainError(`the chain refused it: ${dispatchError.toString()}`));
        return;
      }
      const events = result.events.map(({ event }) => `${event.section}.${event.method}`);
      try {
        const header = await api.rpc.chain.getHeader(blockHash);
        finish(null, { txHash, blockHash, blockNumber: header.number.toNumber(), events });
      } catch {
        finish(null, { txHash, blockHash, blockNumber: null, events });
      }
    };
    attempted = true;
    signed
      .send((result) => void onStatus(result))
      .then((unsub) => {
        // The outcome may be known before the subscription's handle arrives: end it either way.
        if (settled) unsub();
        else unsubscribe = unsub;
      })
      .catch((error: Error) => {
        const message = error.message ?? String(error);
        if (/^1010|^1014|Invalid Transaction|Priority is too low/.test(message)) {
          finish(
            new ChainError(`the node rejected the transaction: ${message}`, {
              hint: /bad signature/.test(message)
                ? "the key, the chain's metadata or its signed extensions do not match"
                : undefined,
            }),
          );
        } else if (/not connected/i.test(message)) {
          finish(new NetworkError(`sending the transaction failed: ${message}`, { cause: error }));
        } else finish(new SubmissionUnknownError(txHash, error));
      });
  });
}
