import type { CommandDefinition } from "./define.js";

/**
 * The one registry of commands: what `--help` lists without loading any of them, and how to load each.
 * A command's module (its options, and through them zod and everything it runs) loads only when that
 * command runs or its help is asked for.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<CommandDefinition>;
}

const entry = (name: string, summary: string, load: () => Promise<unknown>): CommandEntry => ({
  name,
  summary,
  load: async () => (await load()) as CommandDefinition,
});

export const COMMANDS: readonly CommandEntry[] = [
  entry(
    "weights",
    "replay and audit the weights of one validator step",
    async () => (await import("./weights.js")).weightsCommand,
  ),
  entry(
    "metagraph",
    "the subnet's neurons at the finalized block, read in one round trip",
    async () => (await import("./metagraph.js")).metagraphCommand,
  ),
  entry(
    "commitments",
    "every uid's commitment, decoded as validators decode it, with the registry verdict",
    async () => (await import("./commitments.js")).commitmentsCommand,
  ),
  entry(
    "consensus",
    "why is my vtrust low: this validator's weights against the subnet's Yuma consensus, uid by uid",
    async () => (await import("./consensus.js")).consensusCommand,
  ),
  entry(
    "snapshot",
    "write the replay snapshot of the chain's finalized block and the local evaluations",
    async () => (await import("./snapshot.js")).snapshotCommand,
  ),
  entry(
    "render",
    "print the exact prompt the validator sends the model for a conversation",
    async () => (await import("./render.js")).renderCommand,
  ),
  entry(
    "check",
    "precheck a model repo (or local directory) before committing it",
    async () => (await import("./check.js")).checkCommand,
  ),
  entry(
    "score",
    "evaluate one model locally: generate, judge, score (resumable)",
    async () => (await import("./score.js")).scoreCommand,
  ),
  entry(
    "submit",
    "commit a model on chain, after every precheck, and verify it landed",
    async () => (await import("./submit.js")).submitCommand,
  ),
  entry(
    "status",
    "where a miner's hotkey stands: uid, commitment, the validators' verdict, local results, immunity",
    async () => (await import("./status.js")).statusCommand,
  ),
  entry(
    "leaderboard",
    "every uid's model, verdict, score, weight and chain rewards, joined at one block",
    async () => (await import("./leaderboard.js")).leaderboardCommand,
  ),
  entry(
    "dashboard",
    "a live screen of the validator (queue, board, steps, runs, errors) or of a miner's entry",
    async () => (await import("./dashboard.js")).dashboardCommand,
  ),
  entry(
    "serve",
    "serve the reference's validation API (scores, minerboard, check_model) from this data dir's store",
    async () => (await import("./serve.js")).serveCommand,
  ),
  entry(
    "validate",
    "run the validator: evaluate every submission locally, set weights each window",
    async () => (await import("./validate.js")).validateCommand,
  ),
  entry(
    "worker",
    "evaluate queued models on this box's GPUs for a validator on another: the queue shared in PostgreSQL",
    async () => (await import("./worker.js")).workerCommand,
  ),
  entry(
    "service",
    "run the validator (or, --worker, an evaluation worker) as a systemd service: install or uninstall",
    async () => (await import("./service.js")).serviceCommand,
  ),
  entry(
    "doctor",
    "check this machine before anything runs: GPUs, engines, disk, store, chain, wallet, Hub, judge, dataset, clock",
    async () => (await import("./doctor.js")).doctorCommand,
  ),
  entry(
    "profiles",
    "list the scoring profiles and their constants",
    async () => (await import("./profiles.js")).profilesCommand,
  ),
  entry(
    "config",
    "show the effective configuration and where each value came from; `config init` writes a file",
    async () => (await import("./config.js")).configCommand,
  ),
  entry(
    "cache",
    "the downloaded models: list them, or prune the ones not used lately",
    async () => (await import("./cache.js")).cacheCommand,
  ),
  entry(
    "update",
    "replace this binary with the latest release, verified against its SHA256SUMS",
    async () => (await import("./update.js")).updateCommand,
  ),
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
