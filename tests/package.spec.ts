/**
 * The library as its users get it: `npm pack` (which builds dist/ first), the tarball's contents and
 * manifest, and examples/existing-vpc installed from that tarball and run with plain Node.js under
 * Pulumi's mocks, the way an infrastructure program that depends on the package would use it.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { buildInputsHash } from "../tools/build-library";
import { PROJECT_ROOT } from "../tools/stack-files";

interface PackResult {
    filename: string;
    files: Array<{ path: string }>;
}

interface Manifest {
    name: string;
    version: string;
    private?: boolean;
    main: string;
    types: string;
    exports: Record<string, { types: string; default: string } | string>;
    peerDependencies: Record<string, string>;
    dependencies?: Record<string, string>;
}

const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("the published package (npm pack) and an example that consumes it", function () {
    // npm pack compiles the library (tsc) and bundles the function once: seconds, not a timing assertion.
    this.timeout(180_000);
    // Inside the repository, so the example finds the peer dependencies (@pulumi/*) the way an installed
    // package finds its consumer's: in a node_modules further up.
    const consumer = path.join(PROJECT_ROOT, ".consumer-test");
    let packed: PackResult;
    let manifest: Manifest;

    /** A consumer program with the tarball installed and the example's files beside it. */
    const app = path.join(consumer, "app");

    before(() => {
        fs.rmSync(consumer, { recursive: true, force: true });
        fs.mkdirSync(consumer);
        packed = (JSON.parse(npm(["pack", "--json", "--pack-destination", consumer], PROJECT_ROOT)) as PackResult[])[0];
        manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as Manifest;
        const example = path.join(PROJECT_ROOT, "examples", "existing-vpc");
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
        // --legacy-peer-deps: the peers (@pulumi/*) come from the node_modules above, as a consumer's own would.
        npm(
            [
                "install",
                "--offline",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
                "--legacy-peer-deps",
                "--ignore-scripts",
                path.join(consumer, packed.filename),
            ],
            app,
        );
        for (const file of ["index.js", "test.js", "mocks.js", "Pulumi.yaml"])
            fs.copyFileSync(path.join(example, file), path.join(app, file));
    });
    after(() => fs.rmSync(consumer, { recursive: true, force: true }));

    it(
        "ships only the library: dist/components, dist/functions (with " +
            "the prebuilt bootstrap bundle), the manifest, README and CHANGELOG",
        () => {
            const files = packed.files.map((f) => f.path);
            const outside = files.filter(
                (f) => !/^dist\/(components|functions)\//.test(f) && !["package.json", "README.md", "CHANGELOG.md"].includes(f),
            );
            expect(outside, "files outside the library").to.deep.equal([]);
            expect(files).to.include.members([
                "dist/components/index.js",
                "dist/components/index.d.ts",
                "dist/functions/bootstrap/bundle/index.js",
                "dist/components/data/aurora-postgresql.json",
            ]);
            expect(
                files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
                "no TypeScript sources",
            ).to.deep.equal([]);
        },
    );

    it(
        "`npm run build` reuses dist/ only while nothing it is built from changed: " +
            "sources, TypeScript settings, lock file, build script",
        () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "build-inputs-"));
            const write = (file: string, text: string) => {
                fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
                fs.writeFileSync(path.join(root, file), text);
            };
            const inputs = ["components/index.ts", "components/data/x.json", "functions/bootstrap/handler.ts", "tsconfig.json"];
            for (const file of [...inputs, "tsconfig.build.json", "package-lock.json", "tools/build-library.ts"]) {
                write(file, "1");
            }
            const built = buildInputsHash(root);
            write("README.md", "not an input");
            expect(buildInputsHash(root), "after editing README.md").to.equal(built);
            for (const file of [...inputs, "tsconfig.build.json", "package-lock.json", "tools/build-library.ts", "components/new.ts"]) {
                write(file, "2");
                expect(buildInputsHash(root), `after editing ${file}`).to.not.equal(built);
                write(file, "1");
            }
        },
    );

    it("is publishable: named, versioned with a CHANGELOG entry, not private, its entry points in the tarball", () => {
        expect(manifest.private, "private").to.equal(undefined);
        expect(manifest.name).to.match(/^@[a-z0-9-]+\/aurora-postgres$/);
        expect(fs.readFileSync(path.join(PROJECT_ROOT, "CHANGELOG.md"), "utf8"), "CHANGELOG has a section for the version").to.include(
            `## ${manifest.version}`,
        );
        const entry = manifest.exports["."] as { types: string; default: string };
        const files = packed.files.map((f) => f.path);
        for (const [field, file] of [
            ["exports[.].default", entry.default],
            ["exports[.].types", entry.types],
            ["main", manifest.main],
            ["types", manifest.types],
        ]) {
            expect(files, `${field} = ${file}`).to.include(file.replace(/^\.\//, ""));
        }
        expect(manifest.dependencies ?? {}, "the library needs nothing beyond its peers").to.deep.equal({});
    });

    it("every module the packed JavaScript requires is Node's own or a declared peer dependency", () => {
        const extracted = path.join(consumer, "extracted");
        fs.mkdirSync(extracted);
        execFileSync("tar", ["-xzf", path.join(consumer, packed.filename), "-C", extracted]);
        const undeclared = new Set<string>();
        const walk = (dir: string): string[] =>
            fs
                .readdirSync(dir, { withFileTypes: true })
                .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
        // The bootstrap bundle is self-contained (its dependencies are inside it) and runs in Lambda.
        for (const file of walk(path.join(extracted, "package", "dist")).filter(
            (f) => f.endsWith(".js") && !f.includes(`${path.sep}bundle${path.sep}`),
        )) {
            for (const [, specifier] of fs.readFileSync(file, "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
                const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
                if (!builtinModules.includes(pkg) && !(pkg in manifest.peerDependencies))
                    undeclared.add(`${pkg} (${path.relative(extracted, file)})`);
            }
        }
        expect([...undeclared]).to.deep.equal([]);
    });

    it(
        "examples/existing-vpc, installed from the tarball, runs with plain node under mocks: " +
            "two clusters in an existing VPC, one without a proxy",
        () => {
            const installed = path.join(app, "node_modules", manifest.name);
            expect(fs.readdirSync(installed).sort()).to.deep.equal(["CHANGELOG.md", "README.md", "dist", "package.json"]);
            const run = spawnSync(process.execPath, ["--test", "test.js"], {
                cwd: app,
                encoding: "utf8",
                env: { ...process.env, NODE_OPTIONS: "" },
            });
            expect(run.status, `${run.stdout}\n${run.stderr}`).to.equal(0);
            expect(run.stdout).to.match(/# pass 4\n/);
        },
    );

    it("the README's snippet runs as written against the installed package (the example's mocks)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const snippet = /## Using the components in your own program[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1];
        fs.writeFileSync(path.join(app, "readme-snippet.js"), snippet);
        const check = [
            'const { resources, declared } = require("./mocks.js");',
            'require("./readme-snippet.js");',
            "declared().then(() => {",
            '    const clusters = resources.filter((r) => r.type === "aws:rds/cluster:Cluster").map((r) => r.inputs.clusterIdentifier);',
            '    const proxies = resources.filter((r) => r.type === "aws:rds/proxy:Proxy");',
            '    const vpcs = resources.filter((r) => r.type === "aws:ec2/vpc:Vpc");',
            "    console.log(JSON.stringify({ clusters, proxies: proxies.length, vpcs: vpcs.length }));",
            "});",
        ].join("\n");
        fs.writeFileSync(path.join(app, "run-snippet.js"), check);
        const run = spawnSync(process.execPath, ["run-snippet.js"], {
            cwd: app,
            encoding: "utf8",
            env: { ...process.env, NODE_OPTIONS: "" },
        });
        expect(run.status, run.stderr).to.equal(0);
        expect(JSON.parse(run.stdout.trim().split("\n").pop()!), "one cluster, no proxy, no VPC of its own").to.deep.equal({
            clusters: ["reporting"],
            proxies: 0,
            vpcs: 0,
        });
    });
});
