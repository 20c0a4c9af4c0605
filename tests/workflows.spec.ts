/**
 * The GitHub Actions workflows (.github/workflows) call only what exists in this repository, run the
 * README's test command, deploy dev -> staging -> prod with the policy pack, and get AWS credentials
 * through OIDC only.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
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
    strategy?: { matrix?: Record<string, unknown> };
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
                    named.push(...[...command.matchAll(/--stack[ =](\S+)/g)].map((m) => m[1]));
                }
                for (const step of job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)) {
                    packs.push(String(step.with!.policyPacks));
                }
                const matrix = job.strategy?.matrix?.stack as string[] | undefined;
                named.push(...(matrix ?? []));
            }
        }
        expect(packs).to.not.be.empty;
        for (const pack of packs) {
            expect(fs.existsSync(path.join(PROJECT_ROOT, pack, "PulumiPolicy.yaml")), `policy pack ${pack}`).to.equal(true);
        }
        expect(named).to.include.members(["dev", "staging", "prod"]);
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

    it("pull requests preview every stack with the policy pack, after the tests", () => {
        const job = workflow("pull-request.yml").jobs.preview;
        expect(needsOf(job)).to.include("test");
        expect(job.strategy?.matrix?.stack).to.have.members(stacks);
        const preview = job.steps.find((s) => s.uses === "pulumi/actions@v6");
        expect(preview?.with).to.include({ command: "preview", "stack-name": "${{ matrix.stack }}", policyPacks: "policies" });
        expect(commands(job)).to.include("npm ci");
    });

    it("deploys dev -> staging -> prod, each in its own environment, concurrency group and `pulumi up --policy-pack policies`", () => {
        const { jobs } = workflow("deploy.yml");
        expect(needsOf(jobs.dev)).to.include("test");
        expect(needsOf(jobs.staging)).to.deep.equal(["dev"]);
        expect(needsOf(jobs.prod)).to.deep.equal(["staging"]);
        // Nothing else deploys, and no job skips ahead of the chain.
        const deployJobs = Object.entries(jobs).filter(([, j]) => commands(j).some((c) => c.startsWith("pulumi up")));
        expect(deployJobs.map(([id]) => id)).to.deep.equal(["dev", "staging", "prod"]);
        const groups = new Set<string>();
        for (const stack of ["dev", "staging", "prod"]) {
            const job = jobs[stack];
            expect(environmentOf(job), stack).to.equal(stack);
            expect(commands(job), stack).to.include(`pulumi up --yes --stack ${stack} --policy-pack policies`);
            const concurrency = job.concurrency as { group: string; "cancel-in-progress"?: boolean };
            expect(concurrency.group, stack).to.include(stack);
            expect(concurrency["cancel-in-progress"], stack).to.equal(false);
            groups.add(concurrency.group);
            expect(job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")), `${stack} installs the Pulumi CLI`).to.equal(true);
        }
        expect(groups.size).to.equal(3);
        expect(environmentOf(jobs.prod)).to.equal("prod");
        expect(raw("deploy.yml")).to.match(/prod.*required reviewers/i);
    });

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
                const jobStacks = (job.strategy?.matrix?.stack as string[] | undefined) ?? [id];
                for (const stack of jobStacks) {
                    expect(aws.with?.["aws-region"], `${file}: ${id} (${stack})`).to.equal(readStackConfig(stack).config["aws:region"]);
                }
                expect({ ...wf, ...job }.env?.PULUMI_ACCESS_TOKEN, `${file}: ${id}`).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            }
            expect(wf.permissions, `${file}: read-only by default`).to.deep.equal({ contents: "read" });
        }
        const deploy = workflow("deploy.yml").jobs;
        for (const stack of ["dev", "staging", "prod"]) {
            expect(usesAws(deploy[stack]), stack).to.not.equal(undefined);
        }
        expect(usesAws(workflow("pull-request.yml").jobs.preview)).to.not.equal(undefined);
    });
});

describe(".github/workflows: verification after deploy, weekly drills (docs/verify.md)", () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts);

    it("after each `pulumi up`: a refreshed preview that must plan nothing, then `npm run verify` without drills, its report uploaded", () => {
        const { jobs } = workflow("deploy.yml");
        for (const stack of ["dev", "staging", "prod"]) {
            const run = commands(jobs[stack]);
            const up = run.indexOf(`pulumi up --yes --stack ${stack} --policy-pack policies`);
            const preview = run.indexOf(`pulumi preview --refresh --expect-no-changes --stack ${stack} --policy-pack policies`);
            const verify = run.findIndex((c) => c.startsWith(`npm run verify -- --stack ${stack}`));
            expect(up, stack).to.be.at.least(0);
            expect(preview, `${stack}: preview --expect-no-changes after up`).to.equal(up + 1);
            expect(verify, `${stack}: verify after the preview`).to.equal(preview + 1);
            expect(run[verify], stack).to.not.include("--drill");
            expect(run[verify], stack).to.include("--report verify-reports");
            const upload = jobs[stack].steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
            expect(upload?.with, stack).to.include({ name: `verify-${stack}`, path: "verify-reports" });
        }
        expect(scripts).to.include("verify");
    });

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
        expect(verify[0]).to.include("--stack staging").and.include("--drill rotation").and.include("--drill restore").and.include("--report verify-reports");
        expect(verify[0]).to.not.include("--yes-prod");
        expect(run.some((c) => c.startsWith("pulumi up")), "the drills job deploys nothing").to.equal(false);
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
