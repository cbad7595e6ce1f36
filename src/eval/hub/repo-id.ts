import { UsageError } from "../../errors.js";

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function assertRepoId(repo: string): void {
  if (!REPO_ID.test(repo)) {
    throw new UsageError(`"${repo}" is not a Hugging Face repo id`, {
      hint: "give it as namespace/name, e.g. alice/rp-mix-22b",
    });
  }
}
