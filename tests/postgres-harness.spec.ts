/**
 * The shared test server mirrors what a client of the Aurora cluster meets (REQ-002, REQ-004):
 * PostgreSQL 17, TLS required and verifiable, SCRAM passwords.
 */
import { expect } from "chai";
import { Client } from "pg";
import { getPostgres } from "./support/postgres";

describe("test PostgreSQL server (tests/support/postgres.ts)", () => {
    it("REQ-002: runs PostgreSQL 17 with TLS on and SCRAM password encryption", async () => {
        const pg = await getPostgres();
        const [row] = await pg.query<{ version: string; ssl: string; encryption: string }>(
            "SELECT current_setting('server_version_num') AS version, current_setting('ssl') " +
                "AS ssl, current_setting('password_encryption') AS encryption",
        );
        expect(row.version, "server_version_num").to.match(/^17/);
        expect(row.ssl, "ssl").to.equal("on");
        expect(row.encryption, "password_encryption").to.equal("scram-sha-256");
    });

    it("REQ-002: accepts verify-full through adminUrl and refuses a connection without TLS", async () => {
        const pg = await getPostgres();
        const verified = new Client({ connectionString: pg.adminUrl() });
        await verified.connect();
        const [{ ssl }] = (await verified.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows;
        await verified.end();
        expect(ssl, "pg_stat_ssl.ssl of the adminUrl connection").to.equal(true);
        const plain = new Client({ host: pg.host, port: pg.port, user: pg.superuser.user, password: pg.superuser.password, ssl: false });
        const error = await plain.connect().then(
            () => plain.end().then(() => undefined),
            (e: Error) => e,
        );
        expect(error?.message, "connection without TLS").to.match(/no pg_hba\.conf entry.*no encryption/);
    });
});
