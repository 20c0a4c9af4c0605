/**
 * Bundles the Lambda functions as the program does when it declares them (components/bootstrap.ts),
 * and prints where the bundle is, its size and hash; for inspecting what would be deployed.
 *
 *   npm run build:functions
 */
import * as fs from "fs";
import * as path from "path";
import { bundleBootstrapFunction } from "../components/bootstrap";

const bundle = bundleBootstrapFunction();
const file = path.join(bundle.dir, "index.js");
console.log(`${path.relative(process.cwd(), file)}  ${(fs.statSync(file).size / 1024).toFixed(0)} KiB  sha256 ${bundle.sha256}`);
