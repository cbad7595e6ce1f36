/** The local Hub with one 256 MiB model, in its own process so benchmarks do not share its event loop. */
import { modelRepoFiles } from "../test/support/hub/model-files.js";
import { LocalHub } from "../test/support/hub/server.js";

const hub = await LocalHub.start();
const sha = hub.addRepo("bench/model", { files: modelRepoFiles({ shardMiB: 128 }) });
process.stdout.write(`${JSON.stringify({ url: hub.url, sha })}\n`);
process.on("SIGTERM", () => void hub.stop().then(() => process.exit(0)));
