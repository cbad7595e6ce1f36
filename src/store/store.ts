import { join } from "node:path";
import { CommitmentsSeen } from "./commitments-seen.js";
import { closeDatabase, type Db, openDatabase, openDatabaseReadOnly, STORE_FILE } from "./db.js";
import { EvalQueue } from "./eval-queue.js";
import { Evaluations } from "./evaluations.js";
import { JobProgress } from "./job-progress.js";
import { JudgeVerdicts } from "./judge-verdicts.js";
import { ModelCacheTable } from "./model-cache.js";
import { SampleSets } from "./sample-sets.js";
import { ScoreRuns } from "./score-runs.js";
import { Submissions } from "./submissions.js";
import { ValidatorState } from "./validator-state.js";
import { ValidatorSteps } from "./validator-steps.js";
import { WeightCommits } from "./weight-commits.js";
import { WeightComputations } from "./weight-computations.js";

/** The store behind one data dir: one SQLite file, one accessor per table group. */
export class Store {
  readonly weightComputations: WeightComputations;
  readonly evaluations: Evaluations;
  readonly modelCache: ModelCacheTable;
  readonly sampleSets: SampleSets;
  readonly judgeVerdicts: JudgeVerdicts;
  readonly scoreRuns: ScoreRuns;
  readonly submissions: Submissions;
  readonly evalQueue: EvalQueue;
  readonly validatorSteps: ValidatorSteps;
  readonly commitmentsSeen: CommitmentsSeen;
  readonly weightCommits: WeightCommits;
  readonly validatorState: ValidatorState;
  readonly jobProgress: JobProgress;

  private constructor(readonly db: Db) {
    this.weightComputations = new WeightComputations(db);
    this.evaluations = new Evaluations(db);
    this.modelCache = new ModelCacheTable(db);
    this.sampleSets = new SampleSets(db);
    this.judgeVerdicts = new JudgeVerdicts(db);
    this.scoreRuns = new ScoreRuns(db);
    this.submissions = new Submissions(db);
    this.evalQueue = new EvalQueue(db);
    this.validatorSteps = new ValidatorSteps(db);
    this.commitmentsSeen = new CommitmentsSeen(db);
    this.weightCommits = new WeightCommits(db);
    this.validatorState = new ValidatorState(db);
    this.jobProgress = new JobProgress(db);
  }

  static open(dataDir: string): Store {
    return new Store(openDatabase(join(dataDir, STORE_FILE)));
  }

  /** Reads a data dir another process writes (the dashboard beside the daemon); never writes. */
  static openReadOnly(dataDir: string): Store {
    return new Store(openDatabaseReadOnly(join(dataDir, STORE_FILE)));
  }

  get file(): string {
    return this.db.name;
  }

  close(): void {
    closeDatabase(this.db);
  }
}
