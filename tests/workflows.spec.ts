/**
 * The GitHub Actions workflows (.github/workflows) call only what exists in this repository, run the
 * README's test command, deploy dev -> staging -> prod with the policy pack, and get AWS credentials
 * through OIDC only.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ENVIRONMENTS } from "../config";
import { stackMatrix } from "../tools/stack-matrix";
import { PROJECT_ROOT, listStacks, readStackConfig } from "../tools/stack-files";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    name?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
    strategy?: { matrix?: Record<string, unknown> | string; "max-parallel"?: number; "fail-fast"?: boolean };
    outputs?: Record<string, string>;
    env?: Record<string, string>;
    steps: Step[];
}

interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");
const FILES = ["pull-request.yml", "deploy.yml"];

function raw(file: string): string {
    return fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
}

function workflow(file: string): Workflow {
    return YAML.parse(raw(file));
}

function needsOf(job: Job): string[] {
    return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function environmentOf(job: Job): string | undefined {
    return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** Run lines of a job, one command per line, comments dropped. */
function commands(job: Job): string[] {
    return job.steps
        .filter((s) => s.run !== undefined)
        .flatMap((s) => s.run!.split("\n"))
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter((line) => line !== "");
}

/** The test command of the README's Quick start code block. */
function readmeTestCommand(): string {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Quick start"));
    const block = /```bash\n([\s\S]*?)```/.exec(section);
    expect(block, "README Quick start has a bash code block").to.not.equal(null);
    const line = block![1].split("\n").find((l) => /^npm (run )?test\b/.test(l.trim()));
    expect(line, "README Quick start names the test command").to.not.equal(undefined);
    return line!.replace(/\s+#.*$/, "").trim();
}

function usesAws(job: Job): Step | undefined {
    return job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
}

describe(".github/workflows", () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts);
    const stacks = listStacks();

    it("both workflows exist and parse", () => {
        for (const file of FILES) {
            const wf = workflow(file);
            expect(wf.jobs, file).to.be.an("object");
            for (const [id, job] of Object.entries(wf.jobs)) {
                expect(job.steps, `${file}: ${id}`).to.be.an("array").that.is.not.empty;
            }
        }
        expect(workflow("pull-request.yml").on).to.have.property("pull_request");
        expect((workflow("deploy.yml").on.push as { branches: string[] }).branches).to.deep.equal(["main"]);
    });

    it("every `npm run <script>` names a script in package.json", () => {
        let seen = 0;
        for (const file of FILES) {
            for (const job of Object.values(workflow(file).jobs)) {
                for (const command of commands(job)) {
                    for (const [, script] of command.matchAll(/npm run ([\w:.-]+)/g)) {
                        expect(scripts, `${file}: ${command}`).to.include(script);
                        seen++;
                    }
                }
            }
        }
        expect(seen).to.be.greaterThan(0);
    });

    it("every policy pack and stack they name exists (PulumiPolicy.yaml, Pulumi.<stack>.yaml)", () => {
        const packs: string[] = [];
        const named: string[] = [];
        for (const file of FILES) {
            for (const job of Object.values(workflow(file).jobs)) {
                for (const command of commands(job)) {
                    packs.push(...[...command.matchAll(/--policy-pack[ =](\S+)/g)].map((m) => m[1]));
                    named.push(
                        ...[...command.matchAll(/--stack[ =](\S+)/g)]
                            .map((m) => m[1])
                            .filter((s) => !s.startsWith("${{") && !s.startsWith('"$')),
                    );
                }
                for (const step of job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)) {
                    packs.push(String(step.with!.policyPacks));
                }
            }
        }
        expect(packs).to.not.be.empty;
        for (const pack of packs) {
            expect(fs.existsSync(path.join(PROJECT_ROOT, pack, "PulumiPolicy.yaml")), `policy pack ${pack}`).to.equal(true);
        }
        expect(named).to.include("prod");
        for (const stack of named) {
            expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`).to.equal(true);
        }
    });

    it("the test jobs run exactly the README's test command, after npm ci, on Node 20", () => {
        const testCommand = readmeTestCommand();
        expect(testCommand).to.equal("npm test");
        for (const file of FILES) {
            const job = workflow(file).jobs.test;
            expect(job, `${file} has a test job`).to.not.equal(undefined);
            const run = commands(job);
            expect(run, file).to.include(testCommand);
            expect(run.indexOf("npm ci"), file).to.be.within(0, run.indexOf(testCommand) - 1);
            const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
            expect(node?.with?.["node-version"], file).to.equal(20);
        }
    });

    it("tools/stack-matrix.ts lists every Pulumi.<stack>.yaml with its region, in promotion order, prod last", () => {
        const all = stackMatrix().include;
        expect(all.map((e) => e.stack)).to.have.members(stacks);
        const ranks = all.map((e) =>
            ENVIRONMENTS.indexOf(readStackConfig(e.stack).config["aurora:environment"] as (typeof ENVIRONMENTS)[number]),
        );
        expect(ranks, "promotion order").to.deep.equal([...ranks].sort((a, b) => a - b));
        expect(all[all.length - 1].stack).to.equal("prod");
        for (const entry of all) {
            expect(entry.region, entry.stack).to.equal(readStackConfig(entry.stack).config["aws:region"]);
        }
        expect(stackMatrix({ beforeProduction: true }).include.map((e) => e.stack)).to.deep.equal(
            all.map((e) => e.stack).filter((s) => s !== "prod"),
        );
    });

    it("pull requests preview every discovered stack with the policy pack, after the tests", () => {
        const { jobs } = workflow("pull-request.yml");
        const job = jobs.preview;
        expect(needsOf(job)).to.include("test");
        expect(job.strategy?.matrix).to.equal("${{ fromJSON(needs.test.outputs.matrix) }}");
        expect(jobs.test.outputs?.matrix).to.equal("${{ steps.stacks.outputs.matrix }}");
        expect(jobs.test.steps.find((s) => (s as { id?: string }).id === "stacks")?.run).to.include(
            "npx ts-node --transpile-only tools/stack-matrix.ts",
        );
        expect(commands(jobs.test).join("\n"))
            .to.include('npm run preview:offline -- --stack "$STACK"')
            .and.include("tools/stack-matrix.ts");
        const preview = job.steps.find((s) => s.uses === "pulumi/actions@v6");
        expect(preview?.with).to.include({ command: "preview", "stack-name": "${{ matrix.stack }}", policyPacks: "policies" });
        expect(commands(job)).to.include("npm ci");
    });

    it(
        "REQ-011: deploys every discovered stack before prod one at a time in promotion order, " +
            "then prod, each in its own environment, concurrency group and `pulumi up --policy-pack policies`",
        () => {
            const { jobs } = workflow("deploy.yml");
            expect(commands(jobs.stacks).join("\n")).to.include("tools/stack-matrix.ts --before-production");
            expect(jobs.stacks.outputs?.["before-production"]).to.equal("${{ steps.stacks.outputs.before-production }}");
            const before = jobs["before-production"];
            expect(needsOf(before)).to.have.members(["test", "stacks"]);
            expect(before.strategy).to.deep.include({
                "max-parallel": 1,
                "fail-fast": true,
                matrix: "${{ fromJSON(needs.stacks.outputs.before-production) }}",
            });
            expect(environmentOf(before)).to.equal("${{ matrix.stack }}");
            expect(commands(before)).to.include("pulumi up --yes --stack ${{ matrix.stack }} --policy-pack policies");
            expect(before.concurrency).to.deep.equal({ group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
            expect(needsOf(jobs.prod)).to.deep.equal(["before-production"]);
            expect(environmentOf(jobs.prod)).to.equal("prod");
            expect(commands(jobs.prod)).to.include("pulumi up --yes --stack prod --policy-pack policies");
            expect(jobs.prod.concurrency).to.deep.equal({ group: "pulumi-prod", "cancel-in-progress": false });
            // Nothing else deploys.
            const deployJobs = Object.entries(jobs).filter(([, j]) => commands(j).some((c) => c.startsWith("pulumi up")));
            expect(deployJobs.map(([id]) => id)).to.deep.equal(["before-production", "prod"]);
            for (const job of [before, jobs.prod]) {
                expect(
                    job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")),
                    "installs the Pulumi CLI",
                ).to.equal(true);
            }
            expect(raw("deploy.yml")).to.match(/prod.*required reviewers/i);
        },
    );

    it("AWS credentials come only from OIDC role assumption, in each stack's region", () => {
        for (const file of FILES) {
            const text = raw(file);
            expect(text, file).to.not.match(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i);
            const wf = workflow(file);
            for (const [id, job] of Object.entries(wf.jobs)) {
                const aws = usesAws(job);
                if (!aws) {
                    continue;
                }
                expect(aws.uses, `${file}: ${id}`).to.equal("aws-actions/configure-aws-credentials@v4");
                expect(String(aws.with?.["role-to-assume"]), `${file}: ${id}`).to.match(/^\$\{\{ vars\.\w+ \}\}$/);
                const permissions = { ...wf.permissions, ...job.permissions };
                expect(permissions["id-token"], `${file}: ${id}`).to.equal("write");
                expect(permissions.contents, `${file}: ${id}`).to.equal("read");
                if (typeof job.strategy?.matrix === "string") {
                    // Matrix jobs take each stack's region from tools/stack-matrix.ts (tested above).
                    expect(aws.with?.["aws-region"], `${file}: ${id}`).to.equal("${{ matrix.region }}");
                } else {
                    expect(aws.with?.["aws-region"], `${file}: ${id}`).to.equal(readStackConfig(id).config["aws:region"]);
                }
                expect({ ...wf, ...job }.env?.PULUMI_ACCESS_TOKEN, `${file}: ${id}`).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            }
            expect(wf.permissions, `${file}: read-only by default`).to.deep.equal({ contents: "read" });
        }
        const deploy = workflow("deploy.yml").jobs;
        for (const id of ["before-production", "prod"]) {
            expect(usesAws(deploy[id]), id).to.not.equal(undefined);
        }
        expect(usesAws(workflow("pull-request.yml").jobs.preview)).to.not.equal(undefined);
    });
});

describe(".github/workflows: verification after deploy, weekly drills (docs/verify.md)", () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts);

    it(
        "after each `pulumi up`: a refreshed preview that must plan nothing, " +
            "then `npm run verify` without drills, its report uploaded",
        () => {
            const { jobs } = workflow("deploy.yml");
            // Every stack before prod runs in the matrix job, prod in its own.
            for (const [job, stack] of [
                ["before-production", "${{ matrix.stack }}"],
                ["prod", "prod"],
            ]) {
                const run = commands(jobs[job]);
                const up = run.indexOf(`pulumi up --yes --stack ${stack} --policy-pack policies`);
                const preview = run.indexOf(`pulumi preview --refresh --expect-no-changes --stack ${stack} --policy-pack policies`);
                const verify = run.findIndex((c) => c.startsWith(`npm run verify -- --stack ${stack}`));
                expect(up, job).to.be.at.least(0);
                expect(preview, `${job}: preview --expect-no-changes after up`).to.equal(up + 1);
                expect(verify, `${job}: verify after the preview`).to.equal(preview + 1);
                expect(run[verify], job).to.not.include("--drill");
                expect(run[verify], job).to.include("--report verify-reports");
                const upload = jobs[job].steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
                expect(upload?.with, job).to.include({ name: `verify-${stack}`, path: "verify-reports" });
            }
            expect(scripts).to.include("verify");
        },
    );

    it("a weekly schedule runs the rotation and restore drills on staging only and keeps the reports as artifacts", () => {
        const wf = workflow("drills.yml");
        const schedule = wf.on.schedule as Array<{ cron: string }>;
        expect(schedule).to.have.length(1);
        const [minute, hour, dom, month, dow] = schedule[0].cron.split(" ");
        expect([dom, month], "weekly, not monthly").to.deep.equal(["*", "*"]);
        expect(dow, "one day a week").to.match(/^[0-6]$/);
        expect(Number(hour) * 60 + Number(minute), "after the nightly AWS Backup run starts (05:30 UTC)").to.be.greaterThan(5 * 60 + 30);
        expect(Object.keys(wf.jobs)).to.deep.equal(["staging"]);
        const job = wf.jobs.staging;
        expect(environmentOf(job)).to.equal("staging");
        const run = commands(job);
        const verify = run.filter((c) => c.startsWith("npm run verify"));
        expect(verify).to.have.length(1);
        expect(verify[0])
            .to.include("--stack staging")
            .and.include("--drill rotation")
            .and.include("--drill restore")
            .and.include("--report verify-reports");
        expect(verify[0]).to.not.include("--yes-prod");
        expect(
            run.some((c) => c.startsWith("pulumi up")),
            "the drills job deploys nothing",
        ).to.equal(false);
        expect(run.indexOf("npm ci")).to.be.below(run.indexOf(verify[0]));
        const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        expect(upload?.with?.path).to.equal("verify-reports");
        const aws = usesAws(job)!;
        expect(aws.uses).to.equal("aws-actions/configure-aws-credentials@v4");
        expect(aws.with?.["aws-region"]).to.equal(readStackConfig("staging").config["aws:region"]);
        expect({ ...wf.permissions, ...job.permissions }["id-token"]).to.equal("write");
        expect(wf.permissions).to.deep.equal({ contents: "read" });
        expect(raw("drills.yml")).to.not.match(/AWS_ACCESS_KEY_ID|aws-access-key-id/i);
    });
});
