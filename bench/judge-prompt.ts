/**
 * The judge prompt measured: the same pairs (the judge set and generations of a finished `sn11 score`
 * run) through sn11's judge prompt and through another one, on one judge. Prints both win rates with
 * their tallies, the difference, its paired standard error and a 95 % interval.
 *
 *   npm run bench:judge-prompt -- --data-dir ~/.local/share/sn11 --against bench/prompts/sn11-interleaved.json \
 *     --judge-url https://openrouter.ai/api/v1 [--judge-model gpt-4o-2024-11-20] [--run ID]
 *
 * --against takes a JSON file {name, system, user} with {card}, {original} and {generated} in the texts:
 * sn11's prompt before the reference's key order (bench/prompts/), or the reference's own two f-strings.
 * The key comes from SN11_JUDGE_API_KEY (or OPENROUTER_API_KEY).
 */

import { parseArgs } from "node:util";
import { promptFromFile } from "../src/eval/judge/prompt-compare.js";
import { runPromptComparison } from "./judge-prompt-run.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    run: { type: "string" },
    against: { type: "string" },
    "judge-url": { type: "string" },
    "judge-model": { type: "string" },
    "judge-max-reasoning": { type: "string" },
  },
});
if (
  !values.against ||
  !(values["judge-url"] ?? process.env.SN11_JUDGE_URL) ||
  !(values["data-dir"] ?? process.env.SN11_DATA_DIR)
) {
  process.stderr.write("usage: bench/judge-prompt.ts --data-dir DIR --against PROMPT.json --judge-url URL\n");
  process.exit(2);
}
const result = await runPromptComparison({
  dataDir: (values["data-dir"] ?? process.env.SN11_DATA_DIR) as string,
  runId: values.run === undefined ? undefined : Number(values.run),
  against: promptFromFile(values.against),
  judgeUrl: (values["judge-url"] ?? process.env.SN11_JUDGE_URL) as string,
  judgeModel: values["judge-model"],
  judgeApiKey: process.env.SN11_JUDGE_API_KEY ?? process.env.OPENROUTER_API_KEY,
  reasoningMaxLength:
    values["judge-max-reasoning"] === undefined ? undefined : Number(values["judge-max-reasoning"]),
});
console.log(JSON.stringify(result, null, 2));
