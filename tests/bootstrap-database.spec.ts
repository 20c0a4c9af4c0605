/**
 * The bootstrap function's real handler (functions/bootstrap/) against a real PostgreSQL 17 with TLS
 * and SCRAM-only logins (tests/support/postgres.ts), checked with real connections.
 *
 * Stand-ins, because community PostgreSQL lacks what Aurora adds: the roles `rds_iam` and
 * `rds_superuser` are plain NOLOGIN roles here; the `pgaudit` extension is a catalog row in
 * `pg_extension` (the library is not shipped, so `CREATE EXTENSION IF NOT EXISTS pgaudit` finds it
 * installed); the master user is the test server's superuser (on Aurora it is an `rds_superuser`
 * member); an IAM token is a password the test sets for the IAM admin user. `pg_stat_statements` is real.
 */
import { expect } from "chai";
import * as http from "http";
import * as path from "path";
import { AddressInfo } from "net";
import { Client, ClientConfig } from "pg";
import { bundleBootstrapFunction } from "../components/bootstrap";
import { ApplySummary, UserSecret, scramVerifier } from "../functions/bootstrap/apply";
import { HandlerDeps, awsDeps, handler, runBootstrap } from "../functions/bootstrap/handler";
import { BootstrapSettings, ENV, bootstrapEnvironment, settingsFromEnvironment } from "../functions/bootstrap/settings";
import { VerifyResult, expectedCheckIds, normaliseSetting } from "../functions/bootstrap/verify";
import { TestPostgres, getPostgres } from "./support/postgres";
import { cuttableProxy } from "./support/tcp";

const DATABASE = "bootstrap_app";
const IAM_TOKEN = "stand-in-for-an-iam-token";

/** The rotation's second user, created exactly as AWS's alternating-users function does (set_secret). */
async function createCloneTheAwsWay(pg: TestPostgres, user: string, password: string): Promise<void> {
    const master = new Client(pg.clientConfig(pg.superuser.user, pg.superuser.password, DATABASE));
    await master.connect();
    try {
        const pending = (await master.query("SELECT quote_ident($1) AS q", [`${user}_clone`])).rows[0].q;
        const current = (await master.query("SELECT quote_ident($1) AS q", [user])).rows[0].q;
        if ((await master.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [`${user}_clone`])).rowCount === 0) {
            await master.query(`CREATE ROLE ${pending} WITH LOGIN PASSWORD ${master.escapeLiteral(password)}`);
            await master.query(`GRANT ${current} TO ${pending}`);
        } else {
            await master.query(`ALTER USER ${pending} WITH PASSWORD ${master.escapeLiteral(password)}`);
        }
    } finally {
        await master.end();
    }
}

/** Connects, runs `sql`, and returns the error message (undefined when it worked). */
async function attempt(config: ClientConfig, sql = "SELECT 1"): Promise<string | undefined> {
    const client = new Client(config);
    try {
        await client.connect();
    } catch (error) {
        return (error as Error).message;
    }
    try {
        await client.query(sql);
        return undefined;
    } catch (error) {
        return (error as Error).message;
    } finally {
        await client.end();
    }
}

/** Roles, memberships, privileges and extensions: what "changes nothing" is measured against. */
async function snapshot(pg: TestPostgres): Promise<string> {
    const rows = await pg.query(
        `SELECT json_build_object(
            'roles', (SELECT json_agg(row(r.rolname, r.rolcanlogin, r.rolcreatedb, r.rolcreaterole, a.rolpassword, r.rolconfig)::text
                ORDER BY r.rolname)
                        FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname !~ '^pg_'),
            'members', (SELECT json_agg(row(roleid::regrole, member::regrole, admin_option, inherit_option)::text
                ORDER BY roleid, member, grantor) FROM pg_auth_members),
            'acls', (SELECT json_agg(row(relname, relacl)::text ORDER BY relname) FROM pg_class WHERE relnamespace = 'app'::regnamespace),
            'schemas', (SELECT json_agg(row(nspname, nspacl)::text ORDER BY nspname) FROM pg_namespace),
            'defaults', (SELECT json_agg(defaclacl::text ORDER BY defaclacl::text) FROM pg_default_acl),
            'database', (SELECT datacl::text FROM pg_database WHERE datname = current_database()),
            'extensions', (SELECT json_agg(extname ORDER BY extname) FROM pg_extension)) AS s`,
        [],
        DATABASE,
    );
    return JSON.stringify(rows[0].s);
}

describe("functions/bootstrap against a real PostgreSQL 17 with TLS (REQ-002, REQ-004, REQ-009)", function () {
    let pg: TestPostgres;
    const secrets = new Map<string, UserSecret>();
    let settings: BootstrapSettings;
    const deps: HandlerDeps = {
        getSecret: async (arn) => {
            const secret = secrets.get(arn);
            if (!secret) {
                throw new Error(`no secret ${arn}`);
            }
            return secret;
        },
        iamToken: async () => IAM_TOKEN,
    };
    const apply = (overrides: Partial<BootstrapSettings> = {}) =>
        runBootstrap({ mode: "apply" }, { ...settings, ...overrides }, deps) as Promise<ApplySummary>;
    const as = (user: string, password: string) => pg.clientConfig(user, password, DATABASE);
    const password = (user: string) => secrets.get(`arn:secret:${user}`)!.password;

    before(async () => {
        pg = await getPostgres();
        await pg.query(`CREATE DATABASE ${DATABASE}`);
        await pg.query("CREATE ROLE rds_iam NOLOGIN; CREATE ROLE rds_superuser NOLOGIN");
        await pg.query(
            `INSERT INTO pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion)
             VALUES ((SELECT (max(oid)::int8 + 100000)::oid FROM pg_extension), 'pgaudit', 10, 'public'::regnamespace, false, 'stand-in')`,
            [],
            DATABASE,
        );
        secrets.set("arn:secret:master", { username: pg.superuser.user, password: pg.superuser.password });
        secrets.set("arn:secret:app", { username: "app", password: "app-Initial-0!#$%&*()" });
        secrets.set("arn:secret:reporting", { username: "reporting", password: "reporting-Initial-1<>:?" });
        settings = {
            host: pg.host,
            port: pg.port,
            database: DATABASE,
            schema: "app",
            masterSecretArn: "arn:secret:master",
            iamAdminUser: "iam_admin",
            appUsers: [
                { name: "app", access: "readwrite", secretArn: "arn:secret:app" },
                { name: "reporting", access: "readonly", secretArn: "arn:secret:reporting" },
            ],
            caFile: pg.caCertPath,
            expectedSettings: { password_encryption: "scram-sha-256", ssl: "1", shared_preload_libraries: "pg_stat_statements" },
            expectedMaxConnections: Number((await pg.query<{ max_connections: string }>("SHOW max_connections"))[0].max_connections),
        };
    });

    it("REQ-004: the first run creates the groups, users, IAM admin user and extensions, and says so", async () => {
        const summary = await apply();
        expect(summary.users).to.deep.equal([
            { name: "app", access: "readwrite", state: "created" },
            { name: "reporting", access: "readonly", state: "created" },
        ]);
        expect(summary.changes).to.include.members([
            "created role readwrite",
            "created role readonly",
            "created schema app",
            "created role rds_pgaudit",
            "created extension pg_stat_statements",
            "created role iam_admin",
            "created user app (readwrite) with the password of its secret",
            "created user reporting (readonly) with the password of its secret",
        ]);
        expect(summary.changes, "pgaudit is already there (the stand-in)").to.not.include("created extension pgaudit");
        // PostgreSQL 15+ no longer grants CREATE on public to PUBLIC: the REVOKE matters on clusters
        // created before (see the failed-run test).
        expect(await pg.query("SELECT 1 WHERE has_schema_privilege('public', 'public', 'CREATE')", [], DATABASE)).to.deep.equal([]);
        expect(summary.removedUsers).to.deep.equal([]);
    });

    it(
        "REQ-002: each user logs in over verified TLS with its secret's " + "password, and is refused without TLS or with a wrong password",
        async () => {
            for (const user of ["app", "reporting"]) {
                expect(await attempt(as(user, password(user))), `${user} over TLS`).to.equal(undefined);
                expect(await attempt({ ...as(user, password(user)), ssl: false }), `${user} without TLS`).to.match(
                    /no pg_hba\.conf entry .* no encryption/,
                );
                expect(await attempt(as(user, "wrong-password")), `${user} with a wrong password`).to.match(
                    new RegExp(`password authentication failed for user "${user}"`),
                );
            }
            const [stored] = await pg.query<{ hash: string }>("SELECT rolpassword AS hash FROM pg_authid WHERE rolname = 'app'");
            expect(stored.hash, "stored as a SCRAM verifier").to.match(/^SCRAM-SHA-256\$4096:/);
        },
    );

    it("REQ-004: readwrite writes and readonly only reads a table created after the bootstrap; neither may create objects", async () => {
        await pg.query("CREATE TABLE app.orders (id serial PRIMARY KEY, item text NOT NULL)", [], DATABASE);
        const app = as("app", password("app"));
        const reporting = as("reporting", password("reporting"));
        expect(
            await attempt(app, "INSERT INTO app.orders (item) VALUES ('a'); UPDATE app.orders SET item = 'b'; SELECT * FROM app.orders"),
        ).to.equal(undefined);
        expect(await attempt(app, "DELETE FROM app.orders WHERE item = 'nothing'")).to.equal(undefined);
        expect(await attempt(reporting, "SELECT count(*) FROM app.orders")).to.equal(undefined);
        expect(await attempt(reporting, "INSERT INTO app.orders (item) VALUES ('c')")).to.match(/permission denied for table orders/);
        expect(await attempt(reporting, "DELETE FROM app.orders")).to.match(/permission denied for table orders/);
        for (const [user, config] of [
            ["app", app],
            ["reporting", reporting],
        ] as const) {
            expect(await attempt(config, "CREATE TABLE public.t (id int)"), `${user} in public`).to.match(
                /permission denied for schema public/,
            );
            expect(await attempt(config, "CREATE TABLE app.t (id int)"), `${user} in app`).to.match(/permission denied for schema app/);
            expect(await attempt(config, "CREATE ROLE sneaky"), `${user} creating roles`).to.match(/permission denied to create role/);
        }
    });

    it("REQ-004: a _clone created the way AWS's rotation creates it has the same access and logs in with its new password", async () => {
        await createCloneTheAwsWay(pg, "app", "app-Rotated-2!");
        await createCloneTheAwsWay(pg, "reporting", "reporting-Rotated-3!");
        expect(
            await attempt(
                as("app_clone", "app-Rotated-2!"),
                "INSERT INTO app.orders (item) VALUES ('from the clone'); SELECT * FROM app.orders",
            ),
        ).to.equal(undefined);
        expect(await attempt(as("reporting_clone", "reporting-Rotated-3!"), "SELECT * FROM app.orders")).to.equal(undefined);
        expect(await attempt(as("reporting_clone", "reporting-Rotated-3!"), "INSERT INTO app.orders (item) VALUES ('x')")).to.match(
            /permission denied/,
        );
        expect(await attempt(as("app", password("app"))), "the previous user keeps working (alternating users)").to.equal(undefined);
        // The next table is visible to the clones too: default privileges reach them through their user.
        await pg.query("CREATE TABLE app.invoices (id bigint GENERATED ALWAYS AS IDENTITY, total numeric)", [], DATABASE);
        expect(await attempt(as("app_clone", "app-Rotated-2!"), "INSERT INTO app.invoices (total) VALUES (1)")).to.equal(undefined);
        expect(await attempt(as("reporting_clone", "reporting-Rotated-3!"), "SELECT * FROM app.invoices")).to.equal(undefined);
    });

    it(
        "REQ-009: the IAM admin user has rds_iam and rds_superuser " + "and is fully audited; pgaudit's role and the extensions exist",
        async () => {
            const [admin] = await pg.query<{ iam: boolean; su: boolean; config: string[]; login: boolean }>(
                "SELECT pg_has_role('iam_admin', 'rds_iam', 'MEMBER') AS iam, pg_has_role('iam_admin', 'rds_superuser', " +
                    "'MEMBER') AS su, rolconfig AS config, rolcanlogin AS login FROM pg_roles WHERE rolname = 'iam_admin'",
            );
            expect(admin).to.deep.equal({ iam: true, su: true, config: ["pgaudit.log=all"], login: true });
            const members = await pg.query<{ role: string }>(
                "SELECT roleid::regrole::text AS role FROM pg_auth_members WHERE " +
                    "member IN ('app'::regrole, 'reporting'::regrole) ORDER BY 1",
            );
            expect(
                members.map((m) => m.role),
                "application users hold only their group",
            ).to.deep.equal(["readonly", "readwrite"]);
            expect((await pg.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_pgaudit' AND NOT rolcanlogin")).length).to.equal(1);
            const extensions = await pg.query<{ extname: string }>("SELECT extname FROM pg_extension ORDER BY extname", [], DATABASE);
            expect(extensions.map((e) => e.extname)).to.include.members(["pg_stat_statements", "pgaudit"]);
        },
    );

    it(
        "verify mode: every check passes on the bootstrapped database, pgaudit " +
            "is reported not-run on community PostgreSQL, and nothing changes",
        async () => {
            await pg.query(
                `ALTER ROLE iam_admin PASSWORD ${(await pg.query<{ q: string }>("SELECT quote_literal($1) AS q", [IAM_TOKEN]))[0].q}`,
            );
            const before = await snapshot(pg);
            const result = (await runBootstrap({ mode: "verify" }, settings, deps)) as VerifyResult;
            expect(await snapshot(pg), "verify changes nothing").to.equal(before);
            expect(result.mode).to.equal("verify");
            const status = Object.fromEntries(result.checks.map((c) => [c.id, `${c.status}: ${c.evidence}`]));
            expect(Object.keys(status)).to.deep.equal([
                "db.tls.verify-full",
                "db.tls.non-tls-refused",
                "db.application-users.app",
                "db.application-users.reporting",
                "db.iam-admin",
                "db.settings",
                "db.max-connections",
                "db.pgaudit",
            ]);
            expect(Object.keys(status), "the ids `npm run verify` expects (expectedCheckIds)").to.deep.equal(
                expectedCheckIds(
                    settings.appUsers.map((u) => u.name),
                    false,
                ),
            );
            for (const id of Object.keys(status).filter((i) => i !== "db.pgaudit")) {
                expect(status[id], id).to.match(/^pass: /);
            }
            expect(status["db.application-users.app"]).to.include("ROW EXCLUSIVE MODE succeeded");
            expect(status["db.application-users.reporting"]).to.include("ROW EXCLUSIVE MODE refused");
            expect(status["db.pgaudit"]).to.match(/^not-run: pgaudit is not loaded .*community PostgreSQL/);
            for (const check of result.checks) {
                expect(check.requirement, check.id).to.match(/^REQ-0\d\d$/);
                expect(check.item, check.id).to.be.a("string").and.not.equal("");
            }
        },
    );

    it("verify mode reports wrong settings, a wrong connection budget and a user who cannot write as failures", async () => {
        secrets.set("arn:secret:intruder", { username: "reporting", password: password("reporting") });
        const result = (await runBootstrap(
            { mode: "verify" },
            {
                ...settings,
                expectedSettings: {
                    ...settings.expectedSettings,
                    shared_preload_libraries: "pg_stat_statements,pgaudit",
                    work_mem: "1",
                    "aurora.only_setting": "1",
                    "rds.max_something": "{DBInstanceClassMemory/1000}",
                },
                expectedMaxConnections: settings.expectedMaxConnections + 1,
                appUsers: [{ name: "intruder", access: "readwrite", secretArn: "arn:secret:intruder" }],
            },
            { ...deps, iamToken: async () => "not-a-valid-token" },
        )) as VerifyResult;
        const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
        expect(byId["db.settings"].status).to.equal("fail");
        expect(byId["db.settings"].evidence)
            .to.include("work_mem: expected 1, server has 4096")
            .and.include("aurora.only_setting: not known to the server")
            .and.include("formulas not compared: rds.max_something");
        expect(byId["db.settings"].evidence).to.include(
            "shared_preload_libraries: expected pg_stat_statements,pgaudit, server has pg_stat_statements",
        );
        expect(byId["db.max-connections"]).to.include({ status: "fail" });
        expect(byId["db.application-users.intruder"]).to.include({ status: "fail" });
        expect(byId["db.iam-admin"].status).to.equal("fail");
        expect(byId["db.iam-admin"].evidence).to.match(/password authentication failed for user "iam_admin"/);

        // A schema without tables yet: the write check falls back to the default privileges.
        await pg.query("CREATE SCHEMA app_empty", [], DATABASE);
        const empty = (await runBootstrap({ mode: "verify" }, { ...settings, schema: "app_empty" }, deps)) as VerifyResult;
        const users = Object.fromEntries(empty.checks.filter((c) => c.id.startsWith("db.application-users.")).map((c) => [c.id, c]));
        expect(users["db.application-users.app"]).to.include({
            status: "fail",
            evidence:
                "readwrite user app: logged in as app (current secret value); no table in app_empty yet; " +
                "default privileges do not grant INSERT on future tables; CREATE on public or app_empty: no",
        });
        expect(users["db.application-users.reporting"].status, "readonly: no INSERT by default is right").to.equal("pass");
    });

    it(
        "REQ-004 verify mode through the proxy: each user signs an IAM token " +
            "for the proxy host as the username its secret holds, over verify-full",
        async () => {
            // A TCP hop stands in for RDS Proxy; the token stub plays the proxy's part (it accepts a token
            // signed for itself and logs in with the user's secret), so the stub answers the user's password.
            const proxy = await cuttableProxy(settings.port);
            const signed: string[] = [];
            const iamToken: HandlerDeps["iamToken"] = async (user, target) => {
                signed.push(`${user}@${target?.host}:${target?.port}`);
                return target?.port === proxy.port ? [...secrets.values()].find((s) => s.username === user)!.password : "not-the-proxy";
            };
            try {
                const through = { host: settings.host, port: proxy.port };
                const result = (await runBootstrap({ mode: "verify", proxy: { ...through, iamAuth: true } }, settings, {
                    ...deps,
                    iamToken,
                })) as VerifyResult;
                const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
                expect(Object.keys(byId), "the ids `npm run verify` expects through a proxy (expectedCheckIds)").to.deep.equal(
                    expectedCheckIds(
                        settings.appUsers.map((u) => u.name),
                        true,
                    ),
                );
                for (const [user, verb] of [
                    ["app", "succeeded"],
                    ["reporting", "refused"],
                ]) {
                    const check = byId[`db.application-users.${user}.proxy`];
                    expect(check?.status, `${user} through the proxy: ${check?.evidence}`).to.equal("pass");
                    expect(check.evidence)
                        .to.include(`through the proxy ${settings.host} with an IAM token`)
                        .and.include(`ROW EXCLUSIVE MODE ${verb}`);
                }
                expect(signed.slice(0, 2), "tokens are signed for the proxy endpoint, not the writer").to.deep.equal([
                    `app@${settings.host}:${proxy.port}`,
                    `reporting@${settings.host}:${proxy.port}`,
                ]);
                expect(proxy.accepted, "the logins went through the proxy").to.equal(2);

                // After an alternating-users rotation the secret names app_clone: that is the user the token is for.
                secrets.set("arn:secret:app-rotated", { username: "app_clone", password: "not-a-login" });
                const rotated = (await runBootstrap(
                    { mode: "verify", proxy: { ...through, iamAuth: true } },
                    { ...settings, appUsers: [{ name: "app", access: "readwrite", secretArn: "arn:secret:app-rotated" }] },
                    { ...deps, iamToken },
                )) as VerifyResult;
                expect(signed).to.include(`app_clone@${settings.host}:${proxy.port}`);
                expect(
                    rotated.checks.find((c) => c.id === "db.application-users.app.proxy")?.status,
                    "app_clone does not exist here: the login fails",
                ).to.equal("fail");

                // A proxy without IAM authentication: the secret's password, through the proxy.
                const passwords = (await runBootstrap(
                    { mode: "verify", proxy: { ...through, iamAuth: false } },
                    settings,
                    deps,
                )) as VerifyResult;
                const app = passwords.checks.find((c) => c.id === "db.application-users.app.proxy")!;
                expect(app.status, app.evidence).to.equal("pass");
                expect(app.evidence).to.include("with the secret's password");

                // A proxy that cannot be reached fails the check, naming the user; it is never a pass.
                proxy.cut();
                const cut = (await runBootstrap({ mode: "verify", proxy: { ...through, iamAuth: true } }, settings, {
                    ...deps,
                    iamToken,
                })) as VerifyResult;
                expect(cut.checks.find((c) => c.id === "db.application-users.app.proxy")?.status).to.equal("fail");
            } finally {
                secrets.delete("arn:secret:app-rotated");
                await proxy.close();
            }
        },
    );

    it("the Lambda entry point: secrets from a Secrets Manager endpoint given by URL (as on dev), IAM tokens signed locally", async () => {
        // A stand-in for the Secrets Manager endpoint on loopback, answering GetSecretValue from the test's secrets.
        const requests: string[] = [];
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                requests.push(`${req.headers["x-amz-target"]} ${body}`);
                const secret = secrets.get(JSON.parse(body).SecretId);
                res.setHeader("content-type", "application/x-amz-json-1.1");
                res.end(JSON.stringify({ SecretString: JSON.stringify(secret) }));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const saved = { ...process.env };
        Object.assign(process.env, bootstrapEnvironment({ ...settings, secretsManagerEndpoint: endpoint }), {
            AWS_REGION: "eu-west-1",
            AWS_ACCESS_KEY_ID: "AKIDTESTONLY",
            AWS_SECRET_ACCESS_KEY: "test-only-secret",
        });
        try {
            const summary = (await handler()) as ApplySummary;
            expect(summary).to.include({ mode: "apply", database: DATABASE });
            expect(summary.changes).to.deep.equal([]);
            expect(requests[0]).to.equal('secretsmanager.GetSecretValue {"SecretId":"arn:secret:master"}');
            // The esbuild bundle Lambda runs, not only the TypeScript source.
            const bundled = require(path.join(bundleBootstrapFunction().dir, "index.js")) as { handler: typeof handler };
            expect(((await bundled.handler({ mode: "apply" })) as ApplySummary).changes).to.deep.equal([]);
            expect(
                ((await bundled.handler({ mode: "verify" })) as VerifyResult).checks.find((c) => c.id === "db.tls.verify-full")!.status,
            ).to.equal("pass");
            const token = await awsDeps(settings, "eu-west-1").iamToken("iam_admin");
            expect(token).to.match(new RegExp(`^${settings.host}:${settings.port}/\\?Action=connect&DBUser=iam_admin&X-Amz-`));
            const proxyToken = await awsDeps(settings, "eu-west-1").iamToken("app_clone", {
                host: "aurora-prod-proxy.proxy-x.eu-west-1.rds.amazonaws.com",
                port: 5432,
            });
            expect(proxyToken, "a proxy login's token is signed for the proxy").to.match(
                /^aurora-prod-proxy\.proxy-x\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=app_clone&X-Amz-/,
            );
            expect(awsDeps(settings, "eu-west-1").findAuditLine, "no log group: no audit reader").to.equal(undefined);
            expect(awsDeps({ ...settings, auditLogGroup: "/aws/rds/cluster/x/postgresql" }, "eu-west-1").findAuditLine).to.be.a("function");
        } finally {
            process.env = saved;
            server.close();
        }
    });

    it("a second run changes nothing", async () => {
        const before = await snapshot(pg);
        const summary = await apply();
        expect(summary.changes).to.deep.equal([]);
        expect(summary.users.map((u) => u.state)).to.deep.equal(["present", "present"]);
        expect(await snapshot(pg)).to.equal(before);
    });

    it("a failed run fails with the database's error and rolls back: nothing earlier is dropped, nothing half-applied stays", async () => {
        await pg.query("GRANT CREATE ON SCHEMA public TO PUBLIC", [], DATABASE);
        await pg.query("ALTER ROLE rds_iam RENAME TO rds_iam_elsewhere");
        const before = await snapshot(pg);
        try {
            const error = await apply().then(
                () => undefined,
                (e: Error) => e,
            );
            expect(error?.message).to.equal('role "rds_iam" does not exist');
            expect(await snapshot(pg), "the REVOKE on public earlier in the run was rolled back").to.equal(before);
            expect(await attempt(as("app", password("app")))).to.equal(undefined);
        } finally {
            await pg.query("ALTER ROLE rds_iam_elsewhere RENAME TO rds_iam");
        }
        expect((await apply()).changes).to.deep.equal(["revoked CREATE on schema public from PUBLIC"]);
    });

    it(
        "a user removed from the configuration loses LOGIN (with its " +
            "clone), says so, and keeps its objects; adding it back restores it",
        async () => {
            await pg.query(
                "CREATE TABLE app.reporting_notes (note text); ALTER TABLE app.reporting_notes OWNER TO reporting",
                [],
                DATABASE,
            );
            const summary = await apply({ appUsers: settings.appUsers.filter((u) => u.name !== "reporting") });
            expect(summary.removedUsers).to.deep.equal([{ name: "reporting", login: "revoked" }]);
            expect(summary.changes).to.include.members([
                "revoked LOGIN of reporting (no longer in aurora:appUsers; its objects and grants stay)",
                "revoked LOGIN of reporting_clone (no longer in aurora:appUsers; its objects and grants stay)",
            ]);
            expect(await attempt(as("reporting", password("reporting")))).to.match(/role "reporting" is not permitted to log in/);
            expect(await attempt(as("reporting_clone", "reporting-Rotated-3!"))).to.match(
                /role "reporting_clone" is not permitted to log in/,
            );
            const [owned] = await pg.query<{ owner: string }>(
                "SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'reporting_notes'",
                [],
                DATABASE,
            );
            expect(owned, "its table is still there, still its own").to.deep.equal({ owner: "reporting" });
            expect(await attempt(as("app", password("app")))).to.equal(undefined);

            const again = await apply({ appUsers: settings.appUsers.filter((u) => u.name !== "reporting") });
            expect(again).to.deep.include({ changes: [], removedUsers: [{ name: "reporting", login: "already revoked" }] });

            const restored = await apply();
            expect(restored.users.find((u) => u.name === "reporting")!.state).to.equal("login restored");
            expect(await attempt(as("reporting", password("reporting")), "SELECT * FROM app.orders")).to.equal(undefined);
            expect(await attempt(as("reporting_clone", "reporting-Rotated-3!"))).to.equal(undefined);
        },
    );

    it("moving a user to the other group changes its access and nothing else", async () => {
        const summary = await apply({ appUsers: [settings.appUsers[0], { ...settings.appUsers[1], access: "readwrite" }] });
        expect(summary.changes).to.deep.equal([
            "made reporting a readwrite member only, without CREATEDB, CREATEROLE or rds_superuser",
            "marked reporting as a managed application user",
        ]);
        expect(await attempt(as("reporting", password("reporting")), "INSERT INTO app.orders (item) VALUES ('now allowed')")).to.equal(
            undefined,
        );
        await apply();
        expect(await attempt(as("reporting", password("reporting")), "INSERT INTO app.orders (item) VALUES ('not any more')")).to.match(
            /permission denied/,
        );
    });

    it("superuser-like grants given to an application user by hand are taken away on the next run", async () => {
        await pg.query("ALTER ROLE app CREATEDB CREATEROLE; GRANT rds_superuser TO app");
        expect((await apply()).changes).to.deep.equal(["made app a readwrite member only, without CREATEDB, CREATEROLE or rds_superuser"]);
        const [app] = await pg.query(
            "SELECT rolcreatedb, rolcreaterole, pg_has_role('app', 'rds_superuser', 'MEMBER') AS admin FROM pg_roles WHERE rolname = 'app'",
        );
        expect(app).to.deep.equal({ rolcreatedb: false, rolcreaterole: false, admin: false });
    });

    it("an unknown mode is refused; settings travel through the Lambda environment unchanged", async () => {
        const error = await runBootstrap({ mode: "destroy" as never }, settings, deps).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(error?.message).to.equal('unknown mode "destroy": use "apply" or "verify"');
        expect(settingsFromEnvironment(bootstrapEnvironment(settings))).to.deep.equal({
            ...settings,
            auditLogGroup: undefined,
            secretsManagerEndpoint: undefined,
        });
        const withOptional = {
            ...settings,
            auditLogGroup: "/aws/rds/cluster/x/postgresql",
            secretsManagerEndpoint: "https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com",
        };
        expect(settingsFromEnvironment(bootstrapEnvironment(withOptional))).to.deep.equal(withOptional);
        const { [ENV.host]: _host, ...withoutHost } = bootstrapEnvironment(settings);
        expect(() => settingsFromEnvironment(withoutHost)).to.throw(`environment variable ${ENV.host} is not set`);
        expect(settingsFromEnvironment({ ...bootstrapEnvironment(settings), [ENV.caFile]: "" }).caFile).to.equal(
            "/var/runtime/ca-cert.pem",
        );
    });

    it("SCRAM verifiers are PostgreSQL's format; settings compare as PostgreSQL reports them", () => {
        expect(scramVerifier("pencil", Buffer.from("0123456789abcdef"))).to.equal(scramVerifier("pencil", Buffer.from("0123456789abcdef")));
        expect(scramVerifier("pencil")).to.match(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
        expect(["1", "on", "TRUE", "yes"].map(normaliseSetting)).to.deep.equal(["on", "on", "on", "on"]);
        expect(["0", "off", "false", "no"].map(normaliseSetting)).to.deep.equal(["off", "off", "off", "off"]);
        expect(normaliseSetting("pgaudit, pg_stat_statements")).to.equal(normaliseSetting("pg_stat_statements,pgaudit"));
    });
});
