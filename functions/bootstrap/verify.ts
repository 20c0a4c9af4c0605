/**
 * The read-only `verify` mode: checks a deployed database from inside the VPC and changes nothing
 * (write probes run inside transactions that are rolled back). `npm run verify` invokes it with
 * `{"mode":"verify"}` (plus the proxy endpoint when the stack has one) and folds the checks into its
 * report: each check belongs to one verification-checklist item, and its id extends that item's id.
 */
import * as crypto from "crypto";
import { Client, ClientConfig } from "pg";
import { BootstrapSettings } from "./settings";
import { UserSecret } from "./apply";

export type CheckStatus = "pass" | "fail" | "not-run";

/** The verification-checklist items this mode covers (`npm run verify` reports them not-run when it cannot invoke the function). */
export const IN_DATABASE_ITEMS = {
    tls: { id: "db.tls", item: "TLS enforced", requirement: "REQ-002" },
    applicationUsers: { id: "db.application-users", item: "Application read/write", requirement: "REQ-004" },
    iamAdmin: { id: "db.iam-admin", item: "IAM auth functional", requirement: "REQ-009" },
    settings: { id: "db.settings", item: "Parameter group applied", requirement: "REQ-007" },
    maxConnections: { id: "db.max-connections", item: "Connection limits", requirement: "REQ-007" },
    pgaudit: { id: "db.pgaudit", item: "Audit capture", requirement: "REQ-010" },
} as const;
type InDatabaseItem = keyof typeof IN_DATABASE_ITEMS;

/**
 * The id of every check `verifyDatabase` reports for these application users, in its order: what a
 * caller may hold the answer against (a check that is missing was not run). A test against a real
 * PostgreSQL keeps the two equal.
 */
export function expectedCheckIds(appUserNames: readonly string[], proxied: boolean): string[] {
    const i = IN_DATABASE_ITEMS;
    return [
        `${i.tls.id}.verify-full`,
        `${i.tls.id}.non-tls-refused`,
        ...appUserNames.flatMap((name) => [
            `${i.applicationUsers.id}.${name}`,
            ...(proxied ? [`${i.applicationUsers.id}.${name}.proxy`] : []),
        ]),
        i.iamAdmin.id,
        i.settings.id,
        i.maxConnections.id,
        i.pgaudit.id,
    ];
}

/** The RDS Proxy the application users also log in through (stack outputs `proxyEndpoint` and `port`). */
export interface ProxyTarget {
    readonly host: string;
    readonly port: number;
    /** True when the proxy requires IAM tokens (`aurora:proxyIamAuth`); otherwise the secret's password. */
    readonly iamAuth: boolean;
}

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
    /** Connection settings for a user over verified TLS (verify-full): to the writer, or through `proxy`. */
    readonly tlsConfig: (user: string, password: string, proxy?: ProxyTarget) => ClientConfig;
    readonly masterSecret: () => Promise<UserSecret>;
    readonly secretOf: (arn: string) => Promise<UserSecret>;
    /** An IAM authentication token for `user` at `host:port` (RDS signer in Lambda); the writer unless given. */
    readonly iamToken: (user: string, target?: { host: string; port: number }) => Promise<string>;
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
    return v.includes(",")
        ? v
              .split(",")
              .map((p) => p.trim())
              .sort()
              .join(",")
        : v;
}

/** Aurora adds its own libraries (e.g. rdsutils) to shared_preload_libraries: every configured one must be loaded. */
function preloads(actual: string, expected: string): boolean {
    const loaded = new Set(normaliseSetting(actual).split(","));
    return normaliseSetting(expected)
        .split(",")
        .every((library) => loaded.has(library));
}

/** Can the connected user write to the schema's first table? A rolled-back lock probe, no data touched. */
async function writeProbe(client: Client, schema: string): Promise<{ table?: string; canWrite: boolean; detail: string }> {
    const { rows } = await client.query<{ name: string }>(
        "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON " +
            "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname LIMIT 1",
        [schema],
    );
    if (rows.length === 0) {
        const { rows: privs } = await client.query<{ insert: boolean }>(
            "SELECT EXISTS (SELECT 1 FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, " +
                "aclexplode(d.defaclacl) a WHERE n.nspname = $1 AND d.defaclobjtype = 'r' AND " +
                "a.privilege_type = 'INSERT' AND pg_has_role(a.grantee, 'USAGE')) AS insert",
            [schema],
        );
        return {
            canWrite: privs[0].insert,
            detail: `no table in ${schema} yet; default privileges ${privs[0].insert ? "grant" : "do not grant"} INSERT on future tables`,
        };
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

export async function verifyDatabase(settings: BootstrapSettings, deps: VerifyDeps, proxy?: ProxyTarget): Promise<VerifyResult> {
    const checks: VerifyCheck[] = [];
    /** Runs one check of `item`; `detail` (a user, a login path) makes its id unique within the item. */
    const check = async (
        item: InDatabaseItem,
        detail: string | undefined,
        run: () => Promise<{ status: CheckStatus; evidence: string }>,
    ) => {
        const { id: itemId, ...rest } = IN_DATABASE_ITEMS[item];
        const id = detail === undefined ? itemId : `${itemId}.${detail}`;
        try {
            checks.push({ id, ...rest, ...(await run()) });
        } catch (error) {
            checks.push({ id, ...rest, status: "fail", evidence: message(error) });
        }
    };
    const master = await deps.masterSecret();
    const masterConfig = deps.tlsConfig(master.username, master.password);

    await check("tls", "verify-full", () =>
        withClient(masterConfig, async (client) => {
            const { rows } = await client.query("SELECT version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            return {
                status: "pass",
                evidence:
                    `connected to ${settings.host}:${settings.port} as ${master.username}, ` +
                    `certificate verified for the host; ${rows[0].version} ${rows[0].cipher}`,
            };
        }),
    );
    await check("tls", "non-tls-refused", async () => {
        const plain = new Client({ ...masterConfig, ssl: false });
        try {
            await plain.connect();
        } catch (error) {
            return { status: "pass", evidence: `refused: ${message(error)}` };
        }
        await plain.end();
        return { status: "fail", evidence: `a connection without TLS to ${settings.host}:${settings.port} was accepted` };
    });

    /** Logs in as `user` with `password` at `target` and checks it can write exactly as its access says. */
    const accessCheck = (
        user: BootstrapSettings["appUsers"][number],
        username: string,
        password: string,
        how: string,
        through?: ProxyTarget,
    ) =>
        withClient(deps.tlsConfig(username, password, through), async (client) => {
            const probe = await writeProbe(client, settings.schema);
            const { rows } = await client.query<{ create: boolean }>(
                "SELECT has_schema_privilege('public', 'CREATE') OR has_schema_privilege($1, 'CREATE') AS create",
                [settings.schema],
            );
            const ok = probe.canWrite === (user.access === "readwrite") && !rows[0].create;
            return {
                status: ok ? ("pass" as const) : ("fail" as const),
                evidence:
                    `${user.access} user ${user.name}: logged in as ${username} (${how}); ${probe.detail}; ` +
                    `CREATE on public or ${settings.schema}: ${rows[0].create ? "yes" : "no"}`,
            };
        });
    for (const user of settings.appUsers) {
        await check("applicationUsers", user.name, async () => {
            const secret = await deps.secretOf(user.secretArn);
            return accessCheck(user, secret.username, secret.password, "current secret value");
        });
        if (proxy !== undefined) {
            // The username comes from the secret: after an alternating-users rotation it is <name>_clone.
            await check("applicationUsers", `${user.name}.proxy`, async () => {
                const secret = await deps.secretOf(user.secretArn);
                const password = proxy.iamAuth ? await deps.iamToken(secret.username, proxy) : secret.password;
                return accessCheck(
                    user,
                    secret.username,
                    password,
                    `through the proxy ${proxy.host} with ${proxy.iamAuth ? "an IAM token" : "the secret's password"}`,
                    proxy,
                );
            });
        }
    }

    await check("iamAdmin", undefined, async () => {
        const token = await deps.iamToken(settings.iamAdminUser);
        return withClient(deps.tlsConfig(settings.iamAdminUser, token), async (client) => {
            const { rows } = await client.query<{ iam: boolean; admin: boolean }>(
                "SELECT pg_has_role('rds_iam', 'MEMBER') AS iam, pg_has_role('rds_superuser', 'MEMBER') AS admin",
            );
            const ok = rows[0].iam && rows[0].admin;
            return {
                status: ok ? "pass" : "fail",
                evidence:
                    `${settings.iamAdminUser} logged in with an IAM token; ` +
                    `member of rds_iam: ${rows[0].iam}, of rds_superuser: ${rows[0].admin}`,
            };
        });
    });

    const settingsOnServer = async () =>
        withClient(masterConfig, async (client) => {
            const { rows } = await client.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings");
            return new Map(rows.map((r) => [r.name, r.setting]));
        });
    await check("settings", undefined, async () => {
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
            } else if (
                name === "shared_preload_libraries" ? !preloads(actual, expected) : normaliseSetting(actual) !== normaliseSetting(expected)
            ) {
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
    await check("maxConnections", undefined, async () => {
        const actual = Number((await settingsOnServer()).get("max_connections"));
        return actual === settings.expectedMaxConnections
            ? { status: "pass", evidence: `max_connections = ${actual}` }
            : { status: "fail", evidence: `max_connections = ${actual}, the program computed ${settings.expectedMaxConnections}` };
    });

    await check("pgaudit", undefined, async () => {
        const server = await settingsOnServer();
        const libraries = (server.get("shared_preload_libraries") ?? "").split(",").map((l) => l.trim());
        if (!libraries.includes("pgaudit") || !server.has("pgaudit.log")) {
            return {
                status: "not-run",
                evidence:
                    `pgaudit is not loaded on this server (shared_preload_libraries ` +
                    `= '${libraries.join(",")}'): community PostgreSQL has no pgaudit`,
            };
        }
        if (!deps.findAuditLine) {
            return {
                status: "not-run",
                evidence: "the PostgreSQL log group is not readable from this function (no CloudWatch Logs endpoint on this stack)",
            };
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
