import type { ScoringProfile } from "../scoring/profile.js";

/** When steps run: one per period of UTC wall-clock time, at most `windowMs` after the period starts. */
export interface Schedule {
  readonly periodMs: number;
  readonly windowMs: number;
}

const MINUTE = 60_000;

/**
 * The reference steps while `minute % everyMinutes <= windowMinutes` (minutes 0–2 of every 20), and can
 * step twice in one window; sn11 keeps the windows and steps once in each.
 */
export function profileSchedule(profile: ScoringProfile): Schedule {
  return {
    periodMs: profile.schedule.everyMinutes * MINUTE,
    windowMs: (profile.schedule.windowMinutes + 1) * MINUTE,
  };
}

/** A step every `seconds` (the whole period is the window): for test networks and drills. */
export function everySeconds(seconds: number): Schedule {
  return { periodMs: seconds * 1000, windowMs: seconds * 1000 };
}

export function windowOf(now: number, schedule: Schedule): number {
  return Math.floor(now / schedule.periodMs) * schedule.periodMs;
}

/** Now, when inside a window that has no step yet; else the start of the next window. */
export function nextStepAt(now: number, schedule: Schedule, lastSteppedWindow: number | null): number {
  const current = windowOf(now, schedule);
  if (now - current < schedule.windowMs && lastSteppedWindow !== current) return now;
  return current + schedule.periodMs;
}
