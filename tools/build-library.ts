/**
 * `npm run build`: the published library in dist/: components/ and functions/ compiled to JavaScript
 * with declarations (tsconfig.build.json), and the bootstrap function's bundle prebuilt next to them,
 * where components/bootstrap.ts finds it (its users then need neither esbuild nor the sources).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildBootstrapBundle } from "../components/bootstrap";
import { PROJECT_ROOT } from "./stack-files";

const dist = path.join(PROJECT_ROOT, "dist");
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(PROJECT_ROOT, "tsconfig.build.json")], {
    stdio: "inherit",
});
// No inputs record in the package: it names this machine's files, and the prebuilt bundle is used as it is.
const bundle = buildBootstrapBundle(path.join(dist, "functions", "bootstrap", "bundle"), { recordInputs: false });
// stderr: `npm pack --json` runs this as prepack and its stdout must stay JSON.
console.error(`dist/ built; bootstrap bundle sha256 ${bundle.sha256}`);
