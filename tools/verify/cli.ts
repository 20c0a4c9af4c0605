/**
 * `npm run verify`: runs the verification checklist against a deployed stack and, on request, the
 * measured drills, then prints the checklist and writes the report.
 *
 * Exit codes: 0 every required check passed; 1 a check failed or could not run; 2 bad usage, no
 * stack outputs, or a drill refused on prod.
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { randomBytes } from "crypto";
import { listStacks } from "../stack-files";
import { AwsClients, createClients } from "./aws";
import { awsChecks, runAwsChecks } from "./checks";
import { DEFAULT_TARGETS, DRILLS, DatabaseAccess, DrillName, runDrill } from "./drills";
import { proxyTarget, runInDatabaseChecks } from "./in-database";
import { CheckResult } from "./model";
import { newestMarker, postgresConnections } from "./postgres";
import { Clock, realClock } from "./probe";
import { DrillReport, buildReport, formatTerminal, writeReport } from "./report";
import { CommandRunner, expectedConfig, readOutputs } from "./stack";

export const USAGE = `usage: npm run verify -- --stack <${listStacks().join("|")}> [options]

Runs the verification checklist against the deployed stack (AWS APIs, and inside the VPC through the
bootstrap function), and the drills given with --drill.

  --stack <name>            stack to verify (its Pulumi.<name>.yaml gives the expected settings)
  --outputs <file>          stack outputs as JSON (pulumi stack output --json --show-secrets);
                            default: ask the Pulumi CLI
  --drill <name>            also run a drill: ${DRILLS.join(", ")} (repeatable)
  --yes-prod                allow drills on a production stack
  --report <dir>            write verify-<stack>-<time>.md and .json into <dir>
  --rto-seconds <n>         RTO target of the drills (defaults: ${DRILLS.map((d) => `${d} ${DEFAULT_TARGETS[d].rtoSeconds}`).join(", ")})
  --rpo-seconds <n>         RPO target of the restore drills (defaults: restore ${DEFAULT_TARGETS.restore.rpoSeconds}, \
dr-restore from the backup plan)
  --ca-bundle <file>        RDS CA bundle for the drills' TLS verify-full (default: $AURORA_CA_BUNDLE or global-bundle.pem)
  --dr-subnet-group <name>  DB subnet group in the DR region (dr-restore)
  --dr-security-group <id>  security group for the DR restore (repeatable)
  --help                    this text

Exit codes: 0 every check passed, 1 a check failed or could not run, 2 bad usage.`;

export interface CliArgs {
    stack: string;
    outputs?: string;
    drills: DrillName[];
    yesProd: boolean;
    report?: string;
    rtoSeconds?: number;
    rpoSeconds?: number;
    caBundle: string;
    drSubnetGroup?: string;
    drSecurityGroupIds: string[];
}

const VALUE_FLAGS = [
    "--stack",
    "--outputs",
    "--drill",
    "--report",
    "--rto-seconds",
    "--rpo-seconds",
    "--ca-bundle",
    "--dr-subnet-group",
    "--dr-security-group",
];

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliArgs | "help" | string {
    const args: Partial<CliArgs> & { drills: DrillName[]; drSecurityGroupIds: string[] } = {
        drills: [],
        drSecurityGroupIds: [],
        yesProd: false,
        caBundle: env.AURORA_CA_BUNDLE ?? "global-bundle.pem",
    };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--help" || flag === "-h") return "help";
        if (flag === "--yes-prod") {
            args.yesProd = true;
            continue;
        }
        const value = argv[i + 1];
        if (!VALUE_FLAGS.includes(flag)) return `unknown argument '${flag}'`;
        if (value === undefined || value.startsWith("--")) return `${flag} needs a value`;
        i++;
        const seconds = () => (/^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined);
        switch (flag) {
            case "--stack":
                args.stack = value;
                break;
            case "--outputs":
                args.outputs = value;
                break;
            case "--drill":
                if (!(DRILLS as readonly string[]).includes(value)) return `--drill ${value}: drills are ${DRILLS.join(", ")}`;
                args.drills.push(value as DrillName);
                break;
            case "--report":
                args.report = value;
                break;
            case "--rto-seconds":
            case "--rpo-seconds":
                if (seconds() === undefined) return `${flag} ${value}: must be a positive whole number of seconds`;
                args[flag === "--rto-seconds" ? "rtoSeconds" : "rpoSeconds"] = seconds();
                break;
            case "--ca-bundle":
                args.caBundle = value;
                break;
            case "--dr-subnet-group":
                args.drSubnetGroup = value;
                break;
            default:
                args.drSecurityGroupIds.push(value);
        }
    }
    return args.stack === undefined ? "--stack <name> is required" : (args as CliArgs);
}

/** Everything the command talks to, replaceable in tests. */
export interface Dependencies {
    clients?: (region: string, drRegion: string) => AwsClients;
    runCommand?: CommandRunner;
    now?: () => Date;
    clock?: Clock;
    database?: (clients: AwsClients, region: string, caBundle: string, drillId: string) => DatabaseAccess;
    out?: (line: string) => void;
    err?: (line: string) => void;
}

/** Drill probes against the stack's databases with pg (TLS verify-full). */
const postgresDatabase: NonNullable<Dependencies["database"]> = (clients, region, caBundlePath, drillId) => {
    const options = { caBundlePath, region, secrets: clients.secrets, timeoutMs: 2000, drillId };
    return {
        connections: (endpoints) => postgresConnections(endpoints, options),
        newestMarker: (endpoint) => newestMarker(endpoint, options),
    };
};

async function accountOf(clients: AwsClients): Promise<string> {
    try {
        return (await clients.sts.send(new GetCallerIdentityCommand({}))).Account ?? "unknown";
    } catch (e) {
        return `unknown (${(e as Error).name}: ${(e as Error).message})`;
    }
}

export async function main(argv: readonly string[], deps: Dependencies = {}): Promise<number> {
    const out = deps.out ?? console.log;
    const err = deps.err ?? console.error;
    const args = parseArgs(argv);
    if (args === "help") {
        out(USAGE);
        return 0;
    }
    if (typeof args === "string") {
        err(`${USAGE}\n\nerror: ${args}`);
        return 2;
    }
    let config;
    let outputs;
    try {
        config = expectedConfig(args.stack);
        outputs = readOutputs(args.stack, args.outputs, deps.runCommand);
    } catch (e) {
        err(`error: ${(e as Error).message}`);
        return 2;
    }
    if (args.drills.length > 0 && config.isProduction && !args.yesProd) {
        err(
            `error: ${args.stack} is a production stack: the drills ${args.drills.join(", ")} ` +
                `disturb it (failover, rotation, restores). Pass --yes-prod to run them anyway.`,
        );
        return 2;
    }
    const clients = (deps.clients ?? ((r, dr) => createClients(r, dr)))(config.region, config.backup.drRegion);
    const now = deps.now ?? (() => new Date());
    const ctx = { stack: args.stack, config, outputs, clients, now };
    const started = now();
    const [account, aws, inDatabase] = await Promise.all([
        accountOf(clients),
        runAwsChecks(awsChecks(ctx)),
        runInDatabaseChecks(outputs, clients, proxyTarget(outputs, config.secrets.proxy.iamAuth)),
    ]);
    const checks: CheckResult[] = [...aws, ...inDatabase];
    const drills: DrillReport[] = [];
    const runId = randomBytes(3).toString("hex");
    const clock = deps.clock ?? realClock;
    for (const drill of args.drills) {
        out(`Running drill ${drill}...`);
        const database = (deps.database ?? postgresDatabase)(clients, config.region, args.caBundle, `${drill}-${runId}`);
        const outcome = await runDrill(drill, {
            ...ctx,
            clock,
            database,
            rtoSeconds: args.rtoSeconds,
            rpoSeconds: args.rpoSeconds,
            drSubnetGroup: args.drSubnetGroup,
            drSecurityGroupIds: args.drSecurityGroupIds,
            runId,
            log: (line) => out(`  ${line}`),
        });
        drills.push(outcome.report);
        checks.push(...outcome.checks);
    }
    const report = buildReport({ timestamp: started.toISOString(), stack: args.stack, account, region: config.region, checks, drills });
    out(formatTerminal(report));
    if (args.report !== undefined) {
        for (const file of writeReport(report, args.report)) {
            out(`Wrote ${file}`);
        }
    }
    return report.passed ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
