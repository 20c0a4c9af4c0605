/**
 * The read-only `verify` mode: checks a deployed database from inside the VPC and changes nothing
 * (write probes run inside transactions that are rolled back). `npm run verify` invokes it with
 * `{"mode":"verify"}` and folds the checks into its report.
 */
import * as crypto from "crypto";
import { Client, ClientConfig } from "pg";
import { BootstrapSettings } from "./settings";
import { UserSecret } from "./apply";

export type CheckStatus = "pass" | "fail" | "not-run";

export interface VerifyCheck {
    readonly id: string;
    readonly item: string;
    readonly requirement: string;
    readonly status: CheckStatus;
    readonly evidence: string;
}

export interface VerifyResult {
    readonly mode: "verify";
    readonly checks: VerifyCheck[];
}

export interface VerifyDeps {
    /** Connection settings for a user over verified TLS (verify-full). */
    readonly tlsConfig: (user: string, password: string) => ClientConfig;
    readonly masterSecret: () => Promise<UserSecret>;
    readonly secretOf: (arn: string) => Promise<UserSecret>;
    /** An IAM authentication token for the admin user (RDS signer in Lambda). */
    readonly iamToken: (user: string) => Promise<string>;
    /** Searches the PostgreSQL log for an audit line containing `marker`; undefined: logs not readable here. */
    readonly findAuditLine?: (marker: string) => Promise<string | undefined>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function withClient<T>(config: ClientConfig, use: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client(config);
    await client.connect();
    try {
        return await use(client);
    } finally {
        await client.end();
    }
}

/** Normalises a parameter value the way PostgreSQL reports it (booleans, lists, case). */
export function normaliseSetting(value: string): string {
    const v = value.trim().toLowerCase();
    if (["1", "on", "true", "yes"].includes(v)) {
        return "on";
    }
    if (["0", "off", "false", "no"].includes(v)) {
        return "off";
    }
    return v.includes(",") ? v.split(",").map((p) => p.trim()).sort().join(",") : v;
}

/** Aurora adds its own libraries (e.g. rdsutils) to shared_preload_libraries: every configured one must be loaded. */
function preloads(actual: string, expected: string): boolean {
    const loaded = new Set(normaliseSetting(actual).split(","));
    return normaliseSetting(expected).split(",").every((library) => loaded.has(library));
}

/** Can the connected user write to the schema's first table? A rolled-back lock probe, no data touched. */
async function writeProbe(client: Client, schema: string): Promise<{ table?: string; canWrite: boolean; detail: string }> {
    const { rows } = await client.query<{ name: string }>(
        "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname LIMIT 1",
        [schema],
    );
    if (rows.length === 0) {
        const { rows: privs } = await client.query<{ insert: boolean }>(
            "SELECT EXISTS (SELECT 1 FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a WHERE n.nspname = $1 AND d.defaclobjtype = 'r' AND a.privilege_type = 'INSERT' AND pg_has_role(a.grantee, 'USAGE')) AS insert",
            [schema],
        );
        return { canWrite: privs[0].insert, detail: `no table in ${schema} yet; default privileges ${privs[0].insert ? "grant" : "do not grant"} INSERT on future tables` };
    }
    const table = rows[0].name;
    await client.query("BEGIN");
    try {
        // ROW EXCLUSIVE needs INSERT, UPDATE, DELETE or MERGE on the table: exactly "may write".
        await client.query(`LOCK TABLE ${table} IN ROW EXCLUSIVE MODE NOWAIT`);
        return { table, canWrite: true, detail: `LOCK TABLE ${table} IN ROW EXCLUSIVE MODE succeeded (rolled back)` };
    } catch (error) {
        return { table, canWrite: false, detail: `LOCK TABLE ${table} IN ROW EXCLUSIVE MODE refused: ${message(error)}` };
    } finally {
        await client.query("ROLLBACK");
    }
}

export async function verifyDatabase(settings: BootstrapSettings, deps: VerifyDeps): Promise<VerifyResult> {
    const checks: VerifyCheck[] = [];
    const check = async (id: string, item: string, requirement: string, run: () => Promise<{ status: CheckStatus; evidence: string }>) => {
        try {
            checks.push({ id, item, requirement, ...(await run()) });
        } catch (error) {
            checks.push({ id, item, requirement, status: "fail", evidence: message(error) });
        }
    };
    const master = await deps.masterSecret();
    const masterConfig = deps.tlsConfig(master.username, master.password);

    await check("tls-verify-full", "TLS connection with verify-full against the RDS CA", "REQ-002", () =>
        withClient(masterConfig, async (client) => {
            const { rows } = await client.query("SELECT version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            return { status: "pass", evidence: `connected to ${settings.host}:${settings.port} as ${master.username}, certificate verified for the host; ${rows[0].version} ${rows[0].cipher}` };
        }),
    );
    await check("non-tls-refused", "A connection without TLS is refused", "REQ-002", async () => {
        const plain = new Client({ ...masterConfig, ssl: false });
        try {
            await plain.connect();
        } catch (error) {
            return { status: "pass", evidence: `refused: ${message(error)}` };
        }
        await plain.end();
        return { status: "fail", evidence: `a connection without TLS to ${settings.host}:${settings.port} was accepted` };
    });

    for (const user of settings.appUsers) {
        await check(`app-user-${user.name}`, `Application user ${user.name} logs in with its secret and ${user.access === "readwrite" ? "can" : "cannot"} write`, "REQ-004", async () => {
            const secret = await deps.secretOf(user.secretArn);
            return withClient(deps.tlsConfig(secret.username, secret.password), async (client) => {
                const probe = await writeProbe(client, settings.schema);
                const { rows } = await client.query<{ create: boolean }>("SELECT has_schema_privilege('public', 'CREATE') OR has_schema_privilege($1, 'CREATE') AS create", [settings.schema]);
                const expectWrite = user.access === "readwrite";
                const ok = probe.canWrite === expectWrite && !rows[0].create;
                return {
                    status: ok ? "pass" : "fail",
                    evidence: `logged in as ${secret.username} (current secret value); ${probe.detail}; CREATE on public or ${settings.schema}: ${rows[0].create ? "yes" : "no"}`,
                };
            });
        });
    }

    await check("iam-admin-login", `IAM admin user ${settings.iamAdminUser} logs in with an IAM token`, "REQ-009", async () => {
        const token = await deps.iamToken(settings.iamAdminUser);
        return withClient(deps.tlsConfig(settings.iamAdminUser, token), async (client) => {
            const { rows } = await client.query<{ iam: boolean; admin: boolean }>("SELECT pg_has_role('rds_iam', 'MEMBER') AS iam, pg_has_role('rds_superuser', 'MEMBER') AS admin");
            const ok = rows[0].iam && rows[0].admin;
            return { status: ok ? "pass" : "fail", evidence: `logged in with a token; member of rds_iam: ${rows[0].iam}, of rds_superuser: ${rows[0].admin}` };
        });
    });

    const settingsOnServer = async () =>
        withClient(masterConfig, async (client) => {
            const { rows } = await client.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings");
            return new Map(rows.map((r) => [r.name, r.setting]));
        });
    await check("parameter-settings", "Parameter-group settings are in effect (pg_settings)", "REQ-007", async () => {
        const server = await settingsOnServer();
        const problems: string[] = [];
        const skipped: string[] = [];
        let matched = 0;
        for (const [name, expected] of Object.entries(settings.expectedSettings).sort()) {
            const actual = server.get(name);
            if (expected.includes("{")) {
                skipped.push(name); // a formula of the instance class: max_connections has its own check
            } else if (actual === undefined) {
                problems.push(`${name}: not known to the server`);
            } else if (name === "shared_preload_libraries" ? !preloads(actual, expected) : normaliseSetting(actual) !== normaliseSetting(expected)) {
                problems.push(`${name}: expected ${expected}, server has ${actual}`);
            } else {
                matched++;
            }
        }
        const tail = skipped.length > 0 ? `; formulas not compared: ${skipped.join(", ")}` : "";
        return problems.length === 0
            ? { status: "pass", evidence: `${matched} settings match${tail}` }
            : { status: "fail", evidence: `${problems.join("; ")} (${matched} match${tail})` };
    });
    await check("max-connections", "max_connections equals the computed connection budget", "REQ-007", async () => {
        const actual = Number((await settingsOnServer()).get("max_connections"));
        return actual === settings.expectedMaxConnections
            ? { status: "pass", evidence: `max_connections = ${actual}` }
            : { status: "fail", evidence: `max_connections = ${actual}, the program computed ${settings.expectedMaxConnections}` };
    });

    await check("pgaudit-probe", "pgaudit writes an audit line for a probe statement", "REQ-010", async () => {
        const server = await settingsOnServer();
        const libraries = (server.get("shared_preload_libraries") ?? "").split(",").map((l) => l.trim());
        if (!libraries.includes("pgaudit") || !server.has("pgaudit.log")) {
            return { status: "not-run", evidence: `pgaudit is not loaded on this server (shared_preload_libraries = '${libraries.join(",")}'): community PostgreSQL has no pgaudit` };
        }
        if (!deps.findAuditLine) {
            return { status: "not-run", evidence: "the PostgreSQL log group is not readable from this function (no CloudWatch Logs endpoint on this stack)" };
        }
        const marker = `aurora_verify_${crypto.randomBytes(6).toString("hex")}`;
        await withClient(masterConfig, async (client) => {
            await client.query("BEGIN");
            await client.query(`CREATE TEMPORARY TABLE ${marker} ()`);
            await client.query("ROLLBACK");
        });
        const line = await deps.findAuditLine(marker);
        return line
            ? { status: "pass", evidence: `audit line found for the rolled-back probe ${marker}: ${line.slice(0, 300)}` }
            : { status: "fail", evidence: `no AUDIT line for the probe ${marker} reached the log group in time` };
    });
    return { mode: "verify", checks };
}
