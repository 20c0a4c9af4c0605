/**
 * The database's desired state, applied idempotently in one transaction as the master user:
 *
 * - group roles `readwrite` (DML on the application schema) and `readonly` (SELECT), with default
 *   privileges for tables and sequences the master user creates later;
 * - each application user a LOGIN member of its group, created with the password of its secret; the
 *   `<user>_clone` that AWS's alternating-users rotation creates (`CREATE ROLE <user>_clone WITH LOGIN
 *   PASSWORD ...; GRANT <user> TO <user>_clone`) inherits exactly that access through `<user>`;
 * - the IAM admin user (`rds_iam`, `rds_superuser`, `pgaudit.log = 'all'`), the `rds_pgaudit` role named
 *   by `pgaudit.role`, the pgaudit and pg_stat_statements extensions;
 * - `REVOKE CREATE ON SCHEMA public FROM PUBLIC`.
 *
 * Nothing is ever dropped. A user that left the configuration loses LOGIN (and so does its clone);
 * its objects and grants stay. Each step is compared before and after against the catalog, so the
 * summary lists exactly what changed, and a second run lists nothing.
 */
import * as crypto from "crypto";
import { Client } from "pg";
import { Access, BootstrapSettings } from "./settings";

export const GROUP_ROLES: readonly Access[] = ["readwrite", "readonly"];
/** Marks the roles this function manages as application users (how it recognises a removed one). */
export const APP_USER_COMMENT_PREFIX = "aurora bootstrap: application user";
export const CLONE_SUFFIX = "_clone";

export interface AppUserResult {
    readonly name: string;
    readonly access: Access;
    /** created (this run), login restored (was removed before), or present (nothing to do). */
    readonly state: "created" | "login restored" | "present";
}

export interface ApplySummary {
    readonly mode: "apply";
    readonly database: string;
    readonly schema: string;
    /** What this run changed, in order; empty when the database already had the desired state. */
    readonly changes: string[];
    readonly users: AppUserResult[];
    /** Managed users no longer in the configuration: their login is revoked, nothing is dropped. */
    readonly removedUsers: Array<{ name: string; login: "revoked" | "already revoked" }>;
}

/** A user's secret as Secrets Manager returns it (the shape AWS's rotation functions use). */
export interface UserSecret {
    readonly username: string;
    readonly password: string;
}

/**
 * A pre-hashed SCRAM-SHA-256 verifier: PostgreSQL stores it as given, so neither the statement log
 * nor pgaudit ever sees the password itself.
 */
export function scramVerifier(password: string, salt = crypto.randomBytes(16), iterations = 4096): string {
    const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, "sha256");
    const hmac = (key: Buffer, text: string) => crypto.createHmac("sha256", key).update(text).digest();
    const storedKey = crypto.createHash("sha256").update(hmac(salted, "Client Key")).digest();
    const serverKey = hmac(salted, "Server Key");
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

const ident = (client: Client, name: string) => client.escapeIdentifier(name);

/** Everything the desired state touches, as one JSON value: a step changed something iff it differs. */
async function catalogSnapshot(client: Client, roles: string[], schema: string): Promise<string> {
    const { rows } = await client.query(
        `SELECT json_build_object(
            'roles', (SELECT json_agg(json_build_object('name', rolname, ` +
            `'login', rolcanlogin, 'createdb', rolcreatedb, 'createrole', rolcreaterole,
                        'comment', shobj_description(oid, 'pg_authid')) ORDER BY rolname) FROM pg_roles WHERE rolname = ANY($1)),
            'members', (SELECT json_agg(r.rolname || '>' || m.rolname ORDER BY r.rolname, m.rolname) FROM pg_auth_members am
                        JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member WHERE m.rolname = ANY($1)),
            'database', (SELECT datacl::text FROM pg_database WHERE datname = current_database()),
            'schemas', (SELECT json_agg(nspname || ':' || coalesce(nspacl::text, '') ORDER BY nspname) ` +
            `FROM pg_namespace WHERE nspname IN ($2, 'public')),
            'relations', (SELECT json_agg(c.relname || ':' || coalesce(c.relacl::text, '') ORDER BY c.relname) FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')),
            'defaults', (SELECT json_agg(d.defaclobjtype::text || ':' || d.defaclacl::text ORDER BY d.defaclobjtype, d.defaclacl::text) ` +
            `FROM pg_default_acl d),
            'extensions', (SELECT json_agg(extname ORDER BY extname) FROM pg_extension),
            'roleSettings', (SELECT json_agg(r.rolname || ':' || array_to_string(s.setconfig, ',') ORDER BY r.rolname, s.setdatabase) ` +
            `FROM pg_db_role_setting s
                        JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = ANY($1))
        ) AS snapshot`,
        [roles, schema],
    );
    return JSON.stringify(rows[0].snapshot);
}

async function roleExists(client: Client, name: string): Promise<{ login: boolean; comment: string | null } | undefined> {
    const { rows } = await client.query(
        "SELECT rolcanlogin AS login, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
        [name],
    );
    return rows[0];
}

/**
 * Applies the desired state with `client` (connected as the master user to `settings.database`).
 * `secretOf` returns a user's current secret value. On any error the transaction rolls back and the
 * error propagates with the database's message: what earlier runs created stays as it was.
 */
export async function applyDesiredState(
    client: Client,
    settings: BootstrapSettings,
    secretOf: (arn: string) => Promise<UserSecret>,
): Promise<ApplySummary> {
    const schema = settings.schema;
    const s = ident(client, schema);
    const db = ident(client, settings.database);
    const changes: string[] = [];
    const desired = new Set(settings.appUsers.map((u) => u.name));
    const { rows: managed } = await client.query<{ name: string }>(
        "SELECT rolname AS name FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE $1 || '%' ORDER BY rolname",
        [APP_USER_COMMENT_PREFIX],
    );
    const removed = managed.map((r) => r.name).filter((name) => !desired.has(name));
    const watched = [
        ...GROUP_ROLES,
        "rds_pgaudit",
        settings.iamAdminUser,
        ...settings.appUsers.map((u) => u.name),
        ...removed,
        ...[...desired, ...removed].map((n) => n + CLONE_SUFFIX),
    ];

    const step = async (description: string, run: () => Promise<unknown>) => {
        const before = await catalogSnapshot(client, watched, schema);
        await run();
        if ((await catalogSnapshot(client, watched, schema)) !== before) {
            changes.push(description);
        }
    };
    const ensureRole = (name: string, attributes: string) =>
        step(`created role ${name}`, async () => {
            if (!(await roleExists(client, name))) {
                await client.query(`CREATE ROLE ${ident(client, name)} ${attributes}`);
            }
        });

    await client.query("BEGIN");
    try {
        for (const group of GROUP_ROLES) {
            await ensureRole(group, "NOLOGIN");
        }
        await step(`created schema ${schema}`, () => client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`));
        await step("granted CONNECT on the database and USAGE on the schema to readwrite and readonly", async () => {
            await client.query(`GRANT CONNECT ON DATABASE ${db} TO readwrite, readonly`);
            await client.query(`GRANT USAGE ON SCHEMA ${s} TO readwrite, readonly`);
        });
        await step(`granted readwrite DML on the tables and sequences of ${schema}, now and by default`, async () => {
            await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO readwrite`);
            await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO readwrite`);
            await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO readwrite`);
            await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO readwrite`);
        });
        await step(`granted readonly SELECT on the tables and sequences of ${schema}, now and by default`, async () => {
            await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO readonly`);
            await client.query(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO readonly`);
            await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO readonly`);
            await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON SEQUENCES TO readonly`);
        });
        await step("revoked CREATE on schema public from PUBLIC", () => client.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC"));

        await ensureRole("rds_pgaudit", "NOLOGIN");
        await step("created extension pgaudit", () => client.query("CREATE EXTENSION IF NOT EXISTS pgaudit"));
        await step("created extension pg_stat_statements", () => client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"));

        const admin = ident(client, settings.iamAdminUser);
        await ensureRole(settings.iamAdminUser, "LOGIN");
        await step(`granted rds_iam and rds_superuser to ${settings.iamAdminUser}, audited with pgaudit.log = all`, async () => {
            await client.query(`GRANT rds_iam, rds_superuser TO ${admin}`);
            await client.query(`ALTER ROLE ${admin} SET pgaudit.log = 'all'`);
        });

        const users: AppUserResult[] = [];
        for (const user of settings.appUsers) {
            const name = ident(client, user.name);
            const other = GROUP_ROLES.find((g) => g !== user.access)!;
            const existing = await roleExists(client, user.name);
            let state: AppUserResult["state"] = "present";
            if (!existing) {
                const secret = await secretOf(user.secretArn);
                await step(`created user ${user.name} (${user.access}) with the password of its secret`, () =>
                    client.query(
                        `CREATE ROLE ${name} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(secret.password))} IN ROLE ${user.access}`,
                    ),
                );
                state = "created";
            } else if (!existing.login) {
                const secret = await secretOf(user.secretArn);
                await step(`restored LOGIN of ${user.name} with the password of its secret`, () =>
                    client.query(`ALTER ROLE ${name} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(secret.password))}`),
                );
                state = "login restored";
            }
            await step(`made ${user.name} a ${user.access} member only, without CREATEDB, CREATEROLE or rds_superuser`, async () => {
                // Only the statements that change something: each one is an audited role change.
                const { rows } = await client.query(
                    `SELECT r.rolcreatedb OR r.rolcreaterole AS creates,
                            EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid AND m.roleid = $2::regrole) AS "inGroup",
                            EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid AND m.roleid = $3::regrole) AS "inOther",
                            EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid ` +
                        `WHERE m.member = r.oid AND g.rolname = 'rds_superuser') AS "inAdmin"
                     FROM pg_roles r WHERE r.rolname = $1`,
                    [user.name, user.access, other],
                );
                const state = rows[0];
                if (!state.inGroup) {
                    await client.query(`GRANT ${user.access} TO ${name}`);
                }
                if (state.inOther) {
                    await client.query(`REVOKE ${other} FROM ${name}`);
                }
                if (state.creates) {
                    await client.query(`ALTER ROLE ${name} NOCREATEDB NOCREATEROLE`);
                }
                if (state.inAdmin) {
                    await client.query(`REVOKE rds_superuser FROM ${name}`);
                }
            });
            await step(`marked ${user.name} as a managed application user`, () =>
                client.query(`COMMENT ON ROLE ${name} IS ${client.escapeLiteral(`${APP_USER_COMMENT_PREFIX} (${user.access})`)}`),
            );
            const clone = await roleExists(client, user.name + CLONE_SUFFIX);
            if (state === "login restored" && clone && !clone.login) {
                await step(`restored LOGIN of ${user.name}${CLONE_SUFFIX}`, () =>
                    client.query(`ALTER ROLE ${ident(client, user.name + CLONE_SUFFIX)} LOGIN`),
                );
            }
            users.push({ name: user.name, access: user.access, state });
        }

        const removedUsers: ApplySummary["removedUsers"] = [];
        for (const name of removed) {
            const before = changes.length;
            for (const role of [name, name + CLONE_SUFFIX]) {
                const existing = await roleExists(client, role);
                if (existing?.login) {
                    await step(`revoked LOGIN of ${role} (no longer in aurora:appUsers; its objects and grants stay)`, () =>
                        client.query(`ALTER ROLE ${ident(client, role)} NOLOGIN`),
                    );
                }
            }
            removedUsers.push({ name, login: changes.length > before ? "revoked" : "already revoked" });
        }
        await client.query("COMMIT");
        return { mode: "apply", database: settings.database, schema, changes, users, removedUsers };
    } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
    }
}
