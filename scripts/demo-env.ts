/**
 * Starts the local world of the README's walkthroughs (devnet, Hub, wallet, judge) and prints the
 * environment to export in another terminal. Runs from a public clone: the judge is ../shared's llama-server
 * when it is beside the checkout, the embedded llama.cpp otherwise. Ctrl-C stops it.
 */
import { startDemo } from "../test/support/demo.js";

const demo = await startDemo();
const lines = Object.entries(demo.env).map(([k, v]) => `export ${k}=${v}`);
process.stdout.write(
  `${lines.join("\n")}\nexport DEMO_REPO=${demo.repo} DEMO_DATASET=${demo.dataset}${demo.llamaServer ? ` DEMO_LLAMA_SERVER=${demo.llamaServer}` : ""}\n` +
    `export DEMO_VALIDATOR="${demo.validatorWallet.join(" ")}"\n` +
    `# miner hotkey ${demo.minerAddress}; judge: ${demo.judge === "embedded" ? "the embedded llama.cpp (no ../shared/engines/llama-server)" : "../shared's llama-server"}\n` +
    "# paste the lines above into another shell. Ctrl-C here stops everything.\n",
);
const stop = () => void demo.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// A closed terminal or a dropped SSH session: the judge and the devnet go too.
process.on("SIGHUP", stop);
setInterval(() => demo.devnet.produceBlock(), 12_000);
