import type { ValidatorStanding } from "../scoring/consensus.js";
import { reasonText } from "../scoring/consensus-explain.js";
import type { ConsensusReport } from "../scoring/consensus-report.js";
import { fixed, plural, renderTable, shortHotkey } from "./table.js";

const STANDING: Record<ValidatorStanding, string> = {
  counted: "its weights count",
  no_permit: "no validator permit: the chain ignores its weights",
  inactive: "inactive (no weights within activity_cutoff): its stake does not count",
  no_stake: "its stake is below StakeThreshold: its weights do not count",
  no_weights: "it has no weights on chain",
};

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
}

export function consensusReportText(r: ConsensusReport): string {
  const lines: string[] = [];
  lines.push(
    `netuid ${r.netuid} at block ${r.block} · kappa ${r.kappa.toFixed(3)} · ${plural(r.counted, "validator")} counted`,
  );
  if (r.uid === null) {
    lines.push(`hotkey ${shortHotkey(r.hotkey)} has no uid on netuid ${r.netuid}: no weights of it count`);
  } else {
    const computed =
      r.agreementComputed === null
        ? "sn11 would set no weights now"
        : `${fixed(r.agreementComputed, 3)} with the weights sn11 would set now`;
    lines.push(
      `hotkey ${shortHotkey(r.hotkey)} (uid ${r.uid}): agreement ${fixed(r.agreementNow, 3)} with its weights on chain, ${computed}`,
    );
    lines.push(`  ${STANDING[r.standing ?? "no_permit"]}`);
    if (r.lastUpdate !== null && r.blocksSinceUpdate !== null && r.activeFor !== null) {
      const activity =
        r.lastUpdate === 0
          ? "never set weights"
          : `last weights ${plural(r.blocksSinceUpdate, "block")} ago (activity_cutoff ${r.activityCutoff}: ${
              r.activeFor >= 0 ? `stake counts for ${r.activeFor} more` : "its stake no longer counts"
            })`;
      const limit =
        r.rateLimit.freesAt === null || r.rateLimit.freesAt <= r.block
          ? "rate limit free now"
          : `rate limit frees at block ${r.rateLimit.freesAt}`;
      lines.push(`  ${activity}; ${limit}`);
    }
  }
  const vk = r.versionKey;
  lines.push(
    vk.accepted
      ? `  version key ${vk.ours} (the chain asks for ≥ ${vk.chain})`
      : `  version key ${vk.ours} is below the chain's ${vk.chain}: the chain refuses these weights (upgrade sn11)`,
  );
  if (r.disagreements.length > 0) {
    lines.push(
      "",
      r.compared === "computed"
        ? "where the weights sn11 would set part from consensus:"
        : "where its weights on chain part from consensus:",
    );
    lines.push(
      renderTable(
        [
          { header: "uid", value: (d) => String(d.uid), align: "right" },
          { header: "sn11", value: (d) => d.weight.toFixed(3), align: "right" },
          { header: "chain", value: (d) => d.onChain.toFixed(3), align: "right" },
          { header: "consensus", value: (d) => d.consensus.toFixed(3), align: "right" },
          { header: "gap", value: (d) => signed(d.gap), align: "right" },
          { header: "why", value: (d) => reasonText(d.reason) },
        ],
        r.disagreements,
      ),
    );
  } else if (r.uid !== null) {
    lines.push("", "no uid where its weights part from consensus");
  }
  if (r.peers.length > 0) {
    const shown = r.peers.slice(0, 8);
    lines.push(
      "",
      `validators by stake (agreement): ${shown
        .map((p) => `uid ${p.uid} ${(p.stake * 100).toFixed(1)}% (${p.agreement.toFixed(3)})`)
        .join(", ")}${r.peers.length > shown.length ? ", …" : ""}`,
    );
  }
  return lines.join("\n");
}
