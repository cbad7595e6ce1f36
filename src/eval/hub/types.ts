/** What sn11 knows about a model repo at one revision, without its weights. */
export interface RepoFile {
  readonly path: string;
  readonly size: number;
  /** sha256 of the content for LFS files (the LFS oid); null for files kept in git. */
  readonly lfsOid: string | null;
}

export interface SafetensorsIndex {
  /** The index file's exact bytes: the reference's model hash starts with them. */
  readonly raw: Buffer;
  readonly totalSize: number | null;
  readonly weightMap: Readonly<Record<string, string>>;
}

export interface RepoInspection {
  readonly repo: string;
  readonly source: "hub" | "local";
  /** The revision asked for, and the commit it resolved to (null for a local directory). */
  readonly revision: string;
  readonly sha: string | null;
  readonly private: boolean;
  readonly gated: boolean;
  readonly files: readonly RepoFile[];
  readonly index: SafetensorsIndex | null;
  readonly indexProblem: string | null;
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly tokenizerConfig: Readonly<Record<string, unknown>> | null;
  /** sha256 of a file's content: the LFS oid, or computed (downloading a small git file if needed). */
  readonly contentSha256: (path: string) => Promise<string | null>;
}
