/**
 * `npm run verify` as a user runs it: flags, outputs from a file or the Pulumi CLI, the in-database
 * checks merged from the bootstrap function, the terminal checklist, the Markdown and JSON report,
 * exit codes, and the refusal to drill prod without --yes-prod. AWS is mocked (tests/support/aws-world.ts).
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/stack-files";
import { main, parseArgs } from "../tools/verify/cli";
import { DRILLS } from "../tools/verify/drills";
import { expectedCheckIds } from "../functions/bootstrap/verify";
import { IN_DATABASE_ITEMS, inDatabaseItemOf, proxyTarget, runInDatabaseChecks } from "../tools/verify/in-database";
import { allPassed } from "../tools/verify/model";
import { VerifyReport } from "../tools/verify/report";
import { StackOutputs, readOutputs } from "../tools/verify/stack";
import { stackConfig } from "./helpers";
import { World, deployedWorld } from "./support/aws-world";

const FUNCTION_NAME = "aurora-prod-bootstrap";
const PROD_USERS = stackConfig("prod").secrets.appUsers.map((u) => u.name);

/**
 * The bootstrap function's verify-mode answer for prod's users through its proxy, with the ids the
 * real function reports (tests/bootstrap-database.spec.ts holds `expectedCheckIds` to it).
 */
function verifyAnswer(status: "pass" | "fail" | "not-run" = "pass", ids = expectedCheckIds(PROD_USERS, true)): string {
    return JSON.stringify({
        mode: "verify",
        checks: ids.map((id) => ({ ...inDatabaseItemOf(id), status, evidence: `${id} observed` })),
    });
}

describe("verify: command line", () => {
    let world: World;
    let dir: string;
    let outputsFile: string;
    let out: string[];
    let err: string[];

    beforeEach(async () => {
        world = await deployedWorld("prod");
        world.state.lambda.payload = verifyAnswer();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
        outputsFile = path.join(dir, "outputs.json");
        fs.writeFileSync(outputsFile, JSON.stringify({ ...world.outputs.values, bootstrapFunctionName: FUNCTION_NAME }));
        out = [];
        err = [];
    });
    afterEach(() => {
        world.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const deps = () => ({
        clients: () => world.clients,
        now: () => world.now,
        out: (l: string) => out.push(l),
        err: (l: string) => err.push(l),
    });

    it("README/docs command: `npm run verify -- --help` prints the usage and exits 0", () => {
        const text = execFileSync("npm", ["run", "-s", "verify", "--", "--help"], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            env: { ...process.env, NODE_NO_WARNINGS: "1" },
        });
        expect(text).to.match(/^usage: npm run verify -- --stack <dev\|prod\|staging>/);
        for (const flag of ["--outputs", "--drill", "--yes-prod", "--report", "--rto-seconds", "--ca-bundle", "--dr-subnet-group"]) {
            expect(text).to.include(flag);
        }
    });

    it(
        "exit 0 when every check passes; the report (Markdown and JSON) holds " +
            "timestamp, stack, account, region and every check with evidence",
        async () => {
            const code = await main(["--stack", "prod", "--outputs", outputsFile, "--report", path.join(dir, "reports")], deps());
            expect(code, out.join("\n")).to.equal(0);
            const text = out.join("\n");
            expect(text).to.match(/Verifying stack 'prod' \(account 123456789012, eu-west-1\) at 2026-11-30T12:00:00.000Z/);
            expect(text).to.match(/✓ cluster\.available \[REQ-001\] aurora-prod: status available/);
            expect(text).to.match(/✓ db\.pgaudit \[REQ-010\] db\.pgaudit observed/);
            // Prod keeps the backup copy alone (aurora:drMode backup-copy): the global database check is skipped.
            expect(text).to.match(/\d+ passed, 0 failed, 0 not run, 1 skipped: PASS$/m);
            const files = fs.readdirSync(path.join(dir, "reports")).sort();
            expect(files).to.deep.equal(["verify-prod-2026-11-30T12-00-00-000Z.json", "verify-prod-2026-11-30T12-00-00-000Z.md"]);
            const json = JSON.parse(fs.readFileSync(path.join(dir, "reports", files[0]), "utf8")) as VerifyReport;
            expect(json).to.include({
                timestamp: "2026-11-30T12:00:00.000Z",
                stack: "prod",
                account: "123456789012",
                region: "eu-west-1",
                passed: true,
            });
            expect(json.checks.filter((c) => c.source === "in-database").map((c) => c.id)).to.deep.equal(
                expectedCheckIds(PROD_USERS, true),
            );
            for (const c of json.checks) {
                expect(c.evidence, c.id).to.not.equal("");
            }
            const md = fs.readFileSync(path.join(dir, "reports", files[1]), "utf8");
            expect(md).to.include("| Result | PASS");
            expect(md).to.match(/\| ✓ \| `secrets\.rotation\.app` \| Rotation working \| REQ-004 \| aws \| pass \|/);
            const invoke = world.mocks.lambda.commandCalls(InvokeCommand)[0].args[0].input;
            expect(invoke.FunctionName).to.equal(FUNCTION_NAME);
            // prod has a proxy with IAM authentication: the function is told to log each user in through it with a token.
            expect(JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString())).to.deep.equal({
                mode: "verify",
                proxy: {
                    host: world.outputs.get("proxyEndpoint"),
                    port: world.outputs.get("port"),
                    iamAuth: world.config.secrets.proxy.iamAuth,
                },
            });
            expect(world.config.secrets.proxy.iamAuth, "prod's proxy requires IAM tokens").to.equal(true);
        },
    );

    it("exit 1 on a failed check, and on in-database checks that could not run; ✗ and ! name the reason", async () => {
        world.state.cluster.DeletionProtection = false;
        expect(await main(["--stack", "prod", "--outputs", outputsFile], deps())).to.equal(1);
        expect(out.join("\n")).to.match(/✗ data-safety\.deletion-protection \[REQ-008\] fail: DeletionProtection is false/);
        expect(out.join("\n")).to.match(/: FAIL$/);

        world.state.cluster.DeletionProtection = true;
        world.state.lambda.payload = verifyAnswer("not-run");
        out = [];
        expect(await main(["--stack", "prod", "--outputs", outputsFile], deps())).to.equal(1);
        expect(out.join("\n")).to.match(/! db\.tls\.verify-full \[REQ-002\] not-run: db\.tls\.verify-full observed/);
    });

    it(
        "in-database checks: not-run without the bootstrapFunctionName output, " +
            "on a function error, a malformed answer, or a check it did not report",
        async () => {
            const { bootstrapFunctionName: _deployed, ...withoutFunction } = world.outputs.values;
            const noFunction = await runInDatabaseChecks(new StackOutputs(withoutFunction), world.clients);
            expect(noFunction.map((c) => c.status)).to.deep.equal(IN_DATABASE_ITEMS.map(() => "not-run"));
            expect(noFunction[0].evidence).to.match(/stack output 'bootstrapFunctionName' is missing/);

            const outputs = new StackOutputs({ ...world.outputs.values, bootstrapFunctionName: FUNCTION_NAME });
            world.state.lambda = { payload: JSON.stringify({ errorMessage: "connect ETIMEDOUT" }), functionError: "Unhandled" };
            expect((await runInDatabaseChecks(outputs, world.clients))[0].evidence).to.match(/failed \(Unhandled\): .*ETIMEDOUT/);

            world.state.lambda = { payload: JSON.stringify({ mode: "bootstrap", applied: [] }) };
            expect((await runInDatabaseChecks(outputs, world.clients))[0].evidence).to.match(/did not answer in verify mode/);

            world.state.lambda = {
                payload: JSON.stringify({
                    mode: "verify",
                    checks: [{ id: "db.tls.verify-full", item: "TLS enforced", requirement: "REQ-002", status: "ok" }, { status: "pass" }],
                }),
            };
            const odd = await runInDatabaseChecks(outputs, world.clients);
            expect(odd[0]).to.include({ id: "db.tls.verify-full", status: "not-run" });
            expect(odd[1]).to.include({ id: "db.unnamed-2", status: "pass", requirement: "unknown" });

            expect(() => inDatabaseItemOf("db.unknown.x"), "an id of no checklist item").to.throw(
                "db.unknown.x is not an in-database check id",
            );
            // Every check the function should report for the stack's users and proxy, and did not, is not-run.
            const withoutReporting = expectedCheckIds(PROD_USERS, true).filter((id) => !id.includes(".reporting"));
            world.state.lambda = { payload: verifyAnswer("pass", withoutReporting) };
            const partial = await runInDatabaseChecks(outputs, world.clients, proxyTarget(outputs, true));
            expect(partial.filter((c) => c.status !== "pass").map((c) => [c.id, c.status, c.evidence])).to.deep.equal([
                ["db.application-users.reporting", "not-run", "the bootstrap function did not report this check"],
                ["db.application-users.reporting.proxy", "not-run", "the bootstrap function did not report this check"],
            ]);

            world.mocks.lambda
                .on(InvokeCommand)
                .rejects(Object.assign(new Error("not authorized to perform lambda:InvokeFunction"), { name: "AccessDeniedException" }));
            expect((await runInDatabaseChecks(outputs, world.clients))[0]).to.include({ status: "not-run" });
        },
    );

    it("the proxy the function logs in through comes from the stack outputs; a stack without one sends none", () => {
        expect(proxyTarget(world.outputs, false)).to.deep.equal({
            host: world.outputs.get("proxyEndpoint"),
            port: world.outputs.get("port"),
            iamAuth: false,
        });
        const { proxyEndpoint: _proxy, ...withoutProxy } = world.outputs.values;
        expect(proxyTarget(new StackOutputs(withoutProxy), true)).to.equal(undefined);
    });

    it("refuses drills on prod without --yes-prod (exit 2, nothing sent to AWS)", async () => {
        expect(await main(["--stack", "prod", "--outputs", outputsFile, "--drill", "failover"], deps())).to.equal(2);
        expect(err.join("\n")).to.match(/prod is a production stack: the drills failover disturb it.*--yes-prod/);
        expect(world.mocks.rds.calls()).to.have.length(0);
    });

    it(
        "with --yes-prod a drill runs on prod and lands in the report; " + "a drill that cannot reach the database is not-run (exit 1)",
        async () => {
            const code = await main(
                [
                    "--stack",
                    "prod",
                    "--outputs",
                    outputsFile,
                    "--drill",
                    "rotation",
                    "--yes-prod",
                    "--ca-bundle",
                    path.join(dir, "missing.pem"),
                ],
                deps(),
            );
            expect(code).to.equal(1);
            expect(out.join("\n")).to.match(
                /! drill\.rotation \[REQ-004\] not-run: the probe cannot reach the database.*CA bundle .*missing\.pem not found/,
            );
        },
    );

    it("reads the outputs from the Pulumi CLI when no --outputs is given, and exits 2 when neither is available", async () => {
        const calls: string[][] = [];
        const fromCli = readOutputs("prod", undefined, (file, args) => {
            calls.push([file, ...args]);
            return JSON.stringify({ clusterIdentifier: "aurora-prod" });
        });
        expect(fromCli.get("clusterIdentifier")).to.equal("aurora-prod");
        expect(calls).to.deep.equal([["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", "prod"]]);
        const missing = () => {
            throw Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
        };
        expect(await main(["--stack", "prod"], { ...deps(), runCommand: missing })).to.equal(2);
        expect(err.join("\n")).to.match(/the Pulumi CLI is not installed: pass the outputs with --outputs <file>/);
        expect(() =>
            readOutputs("prod", undefined, () => {
                throw new Error("no stack selected");
            }),
        ).to.throw(/pulumi stack output failed: no stack selected/);
    });

    it("bad usage exits 2 with the reason", async () => {
        expect(await main([], deps())).to.equal(2);
        expect(err.join("\n")).to.match(/error: --stack <name> is required/);
        expect(parseArgs(["--stack", "prod", "--drill", "chaos"])).to.match(
            /--drill chaos: drills are failover, rotation, restore, dr-restore/,
        );
        expect(parseArgs(["--stack", "prod", "--rto-seconds", "soon"])).to.match(/must be a positive whole number/);
        expect(parseArgs(["--stack"])).to.equal("--stack needs a value");
        expect(parseArgs(["--stack", "prod", "--frobnicate"])).to.equal("unknown argument '--frobnicate'");
        expect(
            parseArgs(
                [
                    "--stack",
                    "staging",
                    "--drill",
                    "restore",
                    "--drill",
                    "rotation",
                    "--rpo-seconds",
                    "60",
                    "--dr-security-group",
                    "sg-1",
                    "--dr-subnet-group",
                    "g",
                    "--report",
                    "r",
                ],
                { AURORA_CA_BUNDLE: "/etc/rds.pem" },
            ),
        ).to.deep.include({
            stack: "staging",
            drills: ["restore", "rotation"],
            rpoSeconds: 60,
            drSecurityGroupIds: ["sg-1"],
            drSubnetGroup: "g",
            report: "r",
            caBundle: "/etc/rds.pem",
            yesProd: false,
        });
        expect(await main(["--stack", "nope", "--outputs", outputsFile], deps())).to.equal(2);
        expect(err.join("\n")).to.match(/No stack file Pulumi\.nope\.yaml/);
    });

    it("no checks is not a pass", () => {
        expect(allPassed([])).to.equal(false);
    });
});

describe("docs/verify.md and the README stay true to the verifier", () => {
    const verifyDoc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "verify.md"), "utf8");

    it("every `npm run verify` command shown in the README, docs and workflows parses (flags and drills exist)", () => {
        const sources = ["README.md", "docs/verify.md", ".github/workflows/deploy.yml", ".github/workflows/drills.yml"].map((f) =>
            fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8"),
        );
        const commands = sources.flatMap((t) =>
            [...t.matchAll(/npm run verify -- ([^\n#`]+)/g)].map((m) =>
                m[1].trim().replace(/<stack>|\$\{\{ matrix\.stack \}\}/g, "staging"),
            ),
        );
        expect(commands.length).to.be.greaterThan(6);
        for (const command of commands) {
            const parsed = parseArgs(command.split(/\s+/));
            expect(typeof parsed === "object" || parsed === "help", `${command}: ${parsed}`).to.equal(true);
        }
    });

    it("the checks table names every check with the requirement the code gives it", async () => {
        const world = await deployedWorld("prod");
        try {
            const { awsChecks } = await import("../tools/verify/checks");
            const checks = [
                ...awsChecks({ stack: "prod", config: world.config, outputs: world.outputs, clients: world.clients, now: () => world.now }),
                ...IN_DATABASE_ITEMS,
            ];
            for (const c of checks) {
                const id = c.id.startsWith("secrets.rotation.") ? "secrets.rotation.<master\\|user>" : c.id;
                expect(verifyDoc, c.id).to.include(`| ${c.item} | \`${id}\` | ${c.requirement} |`);
            }
            for (const drill of DRILLS) {
                expect(verifyDoc, drill).to.match(new RegExp(`\\| \`drill\\.${drill}\` \\| REQ-00\\d \\|`));
            }
        } finally {
            world.restore();
        }
    });

    it("the IAM policy document allows every AWS API the verifier calls", () => {
        const policy = JSON.parse(/```json\n(\{\n {2}"Version"[\s\S]*?)```/.exec(verifyDoc)![1]) as {
            Statement: Array<{ Action: string[] }>;
        };
        const allowed = new Set(policy.Statement.flatMap((s) => s.Action));
        const prefixes: Record<string, string> = {
            rds: "rds",
            ec2: "ec2",
            "secrets-manager": "secretsmanager",
            backup: "backup",
            cloudwatch: "cloudwatch",
            "cloudwatch-logs": "logs",
            sns: "sns",
            kms: "kms",
            lambda: "lambda",
            sts: "sts",
        };
        const actionNames: Record<string, string> = { "lambda:Invoke": "lambda:InvokeFunction" };
        const called = new Set<string>();
        for (const file of fs.readdirSync(path.join(PROJECT_ROOT, "tools", "verify"))) {
            const source = fs.readFileSync(path.join(PROJECT_ROOT, "tools", "verify", file), "utf8");
            for (const [, names, client] of source.matchAll(/import \{([^}]+)\} from "@aws-sdk\/client-([\w-]+)"/g)) {
                for (const name of names.split(",").map((n) => n.trim())) {
                    const api = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
                    if (api) {
                        const action = `${prefixes[client]}:${api}`;
                        called.add(actionNames[action] ?? action);
                    }
                }
            }
        }
        expect(called.size).to.be.greaterThan(30);
        expect(
            [...called].filter((a) => !allowed.has(a)),
            "APIs called but not in the policy",
        ).to.deep.equal([]);
    });
});
