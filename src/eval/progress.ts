/** The one progress event shape every long stage reports: text renderer, --json, Ink and the store read it. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export type Progress = (event: ProgressEvent) => void;
