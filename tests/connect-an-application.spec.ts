/**
 * docs/connect-an-application.md: its Node.js snippet, extracted from the doc as written, connects to
 * a real PostgreSQL 17 server (tests/support/postgres.ts: TLS verify-full, SCRAM only) with the two
 * AWS calls stood in: the user name comes from the "secret" and the "IAM token" is the password.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/stack-files";
import { getPostgres, writeSelfSignedCa } from "./support/postgres";

const DOC = path.join(PROJECT_ROOT, "docs", "connect-an-application.md");

describe("docs/connect-an-application.md: the Node.js snippet against real PostgreSQL", () => {
    // Outside what the type check and the linters read (they run beside the specs), inside the tree so
    // that the snippet's imports resolve from node_modules.
    const snippetFile = path.join(PROJECT_ROOT, "node_modules", ".cache", "aurora-docs", "connect-snippet.ts");
    after(() => fs.rmSync(snippetFile, { force: true }));

    it(
        "REQ-004: connects with verify-full as the user the secret names, " + "with the token as the password; refuses a wrong CA",
        async function () {
            this.timeout(120000);
            const block = /```ts\n([\s\S]*?)```/.exec(fs.readFileSync(DOC, "utf8"));
            expect(block, "the doc's ts block").to.not.equal(null);
            fs.mkdirSync(path.dirname(snippetFile), { recursive: true });
            fs.writeFileSync(snippetFile, block![1]);
            const snippet = require(snippetFile) as {
                awsCredentials(region: string): object;
                connectToDatabase(settings: object, aws: object): Promise<import("pg").Client>;
            };
            expect(snippet.awsCredentials("eu-west-1")).to.have.keys("username", "authToken");

            const pg = await getPostgres();
            await pg.query("DROP ROLE IF EXISTS docs_app_clone");
            await pg.query("CREATE ROLE docs_app_clone LOGIN PASSWORD 'stub-iam-token'");
            const asked: string[] = [];
            const stub = {
                username: async (secretId: string) => (asked.push(secretId), "docs_app_clone"),
                authToken: async (host: string, port: number, user: string) => (asked.push(`${host}:${port}:${user}`), "stub-iam-token"),
            };
            const settings = {
                host: pg.host,
                port: pg.port,
                database: "postgres",
                region: "eu-west-1",
                secretId: "aurora-test/app/app",
                caBundlePath: pg.caCertPath,
            };
            const client = await snippet.connectToDatabase(settings, stub);
            try {
                const [row] = (await client.query("SELECT current_user AS who, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows;
                expect(row).to.deep.equal({ who: "docs_app_clone", ssl: true });
            } finally {
                await client.end();
            }
            expect(asked).to.deep.equal(["aurora-test/app/app", `${pg.host}:${pg.port}:docs_app_clone`]);

            // A certificate from another CA is refused (verify-full), never silently accepted.
            const otherCa = path.join(path.dirname(snippetFile), ".other-ca.pem");
            fs.writeFileSync(otherCa, selfSignedPem());
            try {
                let refused: Error | undefined;
                await snippet.connectToDatabase({ ...settings, caBundlePath: otherCa }, stub).then(
                    (c) => c.end(),
                    (e: Error) => (refused = e),
                );
                expect(refused?.message ?? "connected", "wrong CA").to.match(/certificate|self.signed|unable to verify/i);
            } finally {
                fs.rmSync(otherCa, { force: true });
            }
        },
    );
});

/** A throwaway self-signed CA certificate, not the harness CA. */
function selfSignedPem(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ca-"));
    const pem = fs.readFileSync(writeSelfSignedCa(dir, "other", "other CA"), "utf8");
    fs.rmSync(dir, { recursive: true });
    return pem;
}
