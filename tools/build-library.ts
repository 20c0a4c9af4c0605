/**
 * `npm run build`: the published library in dist/: components/ and functions/ compiled to JavaScript
 * with declarations (tsconfig.build.json), and the bootstrap function's bundle prebuilt next to them,
 * where components/bootstrap.ts finds it (its users then need neither esbuild nor the sources).
 *
 * Like the bundle a program run from source reuses, dist/ is rebuilt only when something it is built
 * from changed: the sources, the TypeScript settings, the locked dependencies (their types shape the
 * declarations) or the compiler. `npm pack` (prepack) then costs seconds only after an edit.
 */
import * as crypto from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildBootstrapBundle } from "../components/bootstrap";
import { PROJECT_ROOT } from "./stack-files";

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort();
}

/** One hash of everything the build in `root` reads: a different hash means dist/ may differ. */
export function buildInputsHash(root: string): string {
    const hash = crypto.createHash("sha256").update(require("typescript/package.json").version);
    const inputs = [
        ...filesUnder(path.join(root, "components")),
        ...filesUnder(path.join(root, "functions")),
        ...["tsconfig.json", "tsconfig.build.json", "package-lock.json", "tools/build-library.ts"].map((f) => path.join(root, f)),
    ];
    for (const file of inputs) {
        hash.update(`\0${path.relative(root, file)}\0`).update(fs.readFileSync(file));
    }
    return hash.digest("hex");
}

function build(): void {
    const dist = path.join(PROJECT_ROOT, "dist");
    // In dist/ but not in the package: `files` names only dist/components/ and dist/functions/.
    const inputsRecord = path.join(dist, "build-inputs.sha256");
    const inputs = buildInputsHash(PROJECT_ROOT);
    if (fs.existsSync(inputsRecord) && fs.readFileSync(inputsRecord, "utf8") === inputs) {
        // stderr: `npm pack --json` runs this as prepack and its stdout must stay JSON.
        console.error("dist/ is current: nothing it is built from changed since the last build");
    } else {
        fs.rmSync(dist, { recursive: true, force: true });
        execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(PROJECT_ROOT, "tsconfig.build.json")], {
            stdio: "inherit",
        });
        // No inputs record in the package: it names this machine's files, and the prebuilt bundle is used as it is.
        const bundle = buildBootstrapBundle(path.join(dist, "functions", "bootstrap", "bundle"), { recordInputs: false });
        fs.writeFileSync(inputsRecord, inputs);
        console.error(`dist/ built; bootstrap bundle sha256 ${bundle.sha256}`);
    }
}

if (require.main === module) {
    build();
}
