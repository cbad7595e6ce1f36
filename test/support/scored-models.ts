import type { KeyringPair } from "@polkadot/keyring/types";
import type { ChainClient } from "../../src/chain/client.js";
import type { Logger } from "../../src/log.js";
import { entryHash } from "../../src/scoring/model-id.js";
import type { ScoringProfile } from "../../src/scoring/profile.js";
import type { Store } from "../../src/store/store.js";
import type { StepDeps } from "../../src/validator/step.js";
import type { Devnet } from "./devnet/devnet.js";

interface CommittedModel {
  readonly namespace: string;
  readonly name: string;
  readonly hotkey: string;
  readonly block: number;
}

/** Commits `namespace/name` (chatml, the hotkey's correct entry hash) on netuid 11 at `block`. */
export function commitModel(devnet: Devnet, model: CommittedModel): string {
  const hash = entryHash(model.namespace, model.name, "chatml", model.hotkey);
  devnet.putCommitment(
    11,
    model.hotkey,
    `${model.namespace}:${model.name}:chatml:${model.hotkey}:${hash}:d1`,
    model.block,
  );
  return hash;
}

/** `commitModel`, and where a score is given, that score COMPLETED in the store (already evaluated). */
export function commitScoredModel(
  devnet: Devnet,
  store: Store,
  profile: ScoringProfile,
  model: CommittedModel & { score: number | null },
): void {
  const hash = commitModel(devnet, model);
  if (model.score === null) return;
  store.evaluations.upsert({
    repo: `${model.namespace}/${model.name}`,
    entryHash: hash,
    profile: profile.id,
    status: "COMPLETED",
    totalScore: model.score,
    revision: null,
    reason: null,
  });
}

/** A live step on netuid 11 with local scores, signed by `signer`. */
export function liveStepDeps(options: {
  client: ChainClient;
  store: Store;
  profile: ScoringProfile;
  signer: KeyringPair;
  logger: Logger;
}): StepDeps {
  return {
    chain: async () => options.client,
    store: options.store,
    profile: options.profile,
    netuid: 11,
    mode: "live",
    scoreSource: { kind: "local" },
    signer: async () => options.signer,
    logger: options.logger,
  };
}
