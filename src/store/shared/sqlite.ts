import type { Store } from "../store.js";
import type { SharedStore } from "./shared-store.js";

/**
 * The shared store of one box: the data dir's SQLite file, through the same tables `sn11 status`, the
 * dashboard and the leaderboard read. Writers in other processes (sn11 serve beside the daemon) are
 * serialised by SQLite's write lock.
 */
export function sqliteSharedStore(store: Store): SharedStore {
  const { evalQueue, evaluations, commitmentsSeen, jobProgress } = store;
  return {
    kind: "sqlite",
    location: store.file,
    syncQueue: async (profile, wanted) => evalQueue.sync(profile, wanted),
    addToQueue: async (profile, wanted) => evalQueue.add(profile, wanted),
    job: async (profile, repo, entryHash) => evalQueue.find(profile, repo, entryHash),
    jobs: async (profile) => evalQueue.list(profile),
    unfinishedJobs: async (profile) => evalQueue.unfinished(profile),
    queueCounts: async (profile) => evalQueue.counts(profile),
    claim: async (profile, lease) => evalQueue.claim(profile, new Date(), lease),
    renew: async (jobId, lease) => evalQueue.renew(jobId, lease),
    finish: async (job, lease, result) =>
      store.db.transaction(() => {
        if (!evalQueue.finish(job.id, result, new Date(), lease.owner)) return false;
        evaluations.upsert({ repo: job.repo, entryHash: job.entryHash, profile: job.profile, ...result });
        return true;
      })(),
    fail: async (jobId, lease, message, retryInMs) =>
      evalQueue.error(jobId, message, new Date(Date.now() + retryInMs), new Date(), lease.owner),
    requeue: async (jobId, lease) => evalQueue.requeue(jobId, new Date(), lease.owner),
    recoverInterrupted: async () => evalQueue.recoverInterrupted(),
    setModelHash: async (jobId, modelHash) => evalQueue.setModelHash(jobId, modelHash),
    jobsWithModelHash: async (profile, modelHash) => evalQueue.withModelHash(profile, modelHash),
    evaluation: async (repo, entryHash, profile) => evaluations.get(repo, entryHash, profile),
    evaluations: async (profile) => evaluations.forProfile(profile),
    putEvaluation: async (record) => evaluations.upsert(record),
    recordCommitments: async (entries) => commitmentsSeen.record(entries),
    previousCommitment: async (hotkey, block) => commitmentsSeen.previous(hotkey, block),
    putProgress: async (jobId, event) => jobProgress.put(jobId, event),
    clearProgress: async (jobId) => jobProgress.clear(jobId),
    progress: async () => jobProgress.all(),
    // The local store is closed by whoever opened it (the command context).
    close: async () => {},
  };
}
