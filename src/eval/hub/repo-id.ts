import { UsageError } from "../../errors.js";

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function assertRepoId(repo: string): void {
  if (!REPO_ID.test(repo)) {
    throw new UsageError(`"${repo}" is not a Hugging Face repo id`, {
      hint: "give it as namespace/name, e.g. alice/rp-mix-22b",
    });
  }
}

/** The Hub answers 401/403/404 for a repo: private, gated, missing or misspelt — not fetchable by validators. */
export class RepoNotPublic extends UsageError {
  constructor(
    readonly repo: string,
    readonly status: number,
  ) {
    super(`${repo} is not a public model repo on the Hub (HTTP ${status})`, {
      hint: "check the name; validators can only fetch public repos",
    });
  }
}
