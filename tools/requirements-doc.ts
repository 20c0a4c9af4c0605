/**
 * Generates docs/requirements.md: each requirement REQ-001..012 with what implements it (the list
 * below, checked by tests/requirements.spec.ts against the files), the policies that enforce it (from
 * each policy's `anchors.requirements`) and the tests that prove it (every `it(...)` whose title names
 * the id, found by scanning tests/) and the `npm run verify` checks and drills that check it on a
 * deployed stack (the checks table of docs/verify.md, which tests/verify-cli.spec.ts keeps equal to
 * the verifier's own check list).
 *
 *   npx ts-node --transpile-only tools/requirements-doc.ts
 *
 * tests/requirements.spec.ts fails when the committed file differs from the output.
 */
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policies/policies";

const ROOT = path.join(__dirname, "..");
export const REQUIREMENTS_DOC_PATH = path.join(ROOT, "docs", "requirements.md");

export const VERIFY_DOC_PATH = path.join(ROOT, "docs", "verify.md");

export interface VerifyCheckReference {
    readonly item: string;
    readonly check: string;
    readonly requirement: string;
}

/** The rows of docs/verify.md's checks table: checklist item, check id (or drill) and requirement. */
export function verifyChecks(verifyDoc = fs.readFileSync(VERIFY_DOC_PATH, "utf8")): VerifyCheckReference[] {
    return [...verifyDoc.matchAll(/^\| ([^|]+) \| `([^`]+)` \| (REQ-\d{3}) \|/gm)].map(([, item, check, requirement]) => ({
        item,
        check: check.replace("\\|", "|"),
        requirement,
    }));
}

export interface Requirement {
    readonly id: string;
    /** The requirement in one line (the project specification's wording, shortened). */
    readonly summary: string;
    /** Repository files that implement it, each with the part that does. */
    readonly implementedBy: ReadonlyArray<{ readonly file: string; readonly what: string }>;
}

export const REQUIREMENTS: readonly Requirement[] = [
    {
        id: "REQ-001",
        summary: "At least 2 AZs (3 subnets by default), a writer and a reader in another AZ, automatic failover with promotion tiers.",
        implementedBy: [
            { file: "components/network.ts", what: "one database subnet per AZ, in the DB subnet group" },
            { file: "components/cluster.ts", what: "writer and readers round-robin across the AZs, promotion tiers" },
        ],
    },
    {
        id: "REQ-002",
        summary: "Encryption at rest with customer-managed KMS keys for every data store; TLS 1.2+ enforced in transit.",
        implementedBy: [
            { file: "components/kms.ts", what: "one rotating CMK per purpose with a least-privilege key policy" },
            { file: "components/parameters.ts", what: "rds.force_ssl=1 and ssl_min_protocol_version, which overrides cannot weaken" },
            { file: "components/cluster.ts", what: "storage, Performance Insights, master secret and log groups encrypted with the keys" },
        ],
    },
    {
        id: "REQ-003",
        summary:
            "Private only: no public instances or internet routes; " +
            "ingress on the DB port from the application group or private CIDRs; minimal egress.",
        implementedBy: [
            { file: "components/network.ts", what: "isolated subnets, security groups, interface endpoints, stripped default group" },
            { file: "components/secrets.ts", what: "rotation function and proxy security groups limited to the database port and HTTPS" },
        ],
    },
    {
        id: "REQ-004",
        summary:
            "Credentials in Secrets Manager, rotated automatically (30 days by default) " +
            "without breaking connections; no password in code or config.",
        implementedBy: [
            { file: "components/cluster.ts", what: "RDS-managed master password (manageMasterUserPassword)" },
            { file: "components/secrets.ts", what: "master rotation schedule, alternating-users application secrets, RDS Proxy" },
            { file: "components/secrets-settings.ts", what: "application user and rotation settings validation" },
        ],
    },
    {
        id: "REQ-005",
        summary: "Automated backups retained at least 7 days (30 in prod), point-in-time recovery, backup window clear of maintenance.",
        implementedBy: [
            { file: "components/cluster-settings.ts", what: "retention range and window overlap checks" },
            { file: "components/cluster.ts", what: "backupRetentionPeriod, windows, copyTagsToSnapshot" },
            { file: "components/backup.ts", what: "AWS Backup plan with continuous backup and the cross-region copy" },
        ],
    },
    {
        id: "REQ-006",
        summary:
            "Enhanced Monitoring and Performance Insights on every instance; " +
            "PostgreSQL logs in pre-created, encrypted log groups with retention; alarms.",
        implementedBy: [
            { file: "components/cluster.ts", what: "monitoring role and interval, Performance Insights, log groups and exports" },
            {
                file: "components/alarms.ts",
                what: "alert topic, alarms, RDS event subscriptions, dashboard (planned in alarm-plan.ts, drawn in alarm-dashboard.ts)",
            },
            { file: "components/alarm-settings.ts", what: "threshold computations and validation" },
        ],
    },
    {
        id: "REQ-007",
        summary: "Custom cluster and instance parameter groups with security and performance settings, each documented.",
        implementedBy: [
            { file: "components/parameters.ts", what: "the parameter defaults with their reasons, guarded overrides" },
            { file: "components/cluster.ts", what: "the cluster and instance parameter groups of the derived family" },
            { file: "docs/parameters.md", what: "the generated parameter reference" },
        ],
    },
    {
        id: "REQ-008",
        summary: "Deletion protection on production database resources (cluster, keys) and a final snapshot on delete.",
        implementedBy: [
            { file: "components/cluster-settings.ts", what: "deletion protection cannot be turned off in prod" },
            { file: "components/cluster.ts", what: "deletionProtection, protect option, unique final snapshot identifier" },
            { file: "components/kms.ts", what: "protect option on every key" },
        ],
    },
    {
        id: "REQ-009",
        summary:
            "IAM database authentication with a least-privilege admin policy (rds-db:connect on the cluster resource id and one user).",
        implementedBy: [{ file: "components/cluster.ts", what: "iamDatabaseAuthenticationEnabled and the IAM admin policy" }],
    },
    {
        id: "REQ-010",
        summary: "Database Activity Streams for audit, encrypted with a CMK, where the instance class supports them.",
        implementedBy: [
            { file: "components/cluster.ts", what: "the activity stream after the instances" },
            { file: "components/kms.ts", what: "the activity-stream key with the RDS encryption context" },
        ],
    },
    {
        id: "REQ-011",
        summary: "Everything provisioned by this Pulumi program, in version control; state and secrets handling documented.",
        implementedBy: [
            { file: "index.ts", what: "the program: every resource of the stack" },
            { file: "docs/state-and-environments.md", what: "backends, locking, the KMS secrets provider, pipelines" },
            { file: ".github/workflows/deploy.yml", what: "deployments only through the pipeline" },
        ],
    },
    {
        id: "REQ-012",
        summary: "Tags on every taggable resource (Environment, Application, Team, CostCenter, ManagedBy), enforced by the policy pack.",
        implementedBy: [
            { file: "config/index.ts", what: "the required tags built from config (REQUIRED_TAGS), extra tags validated" },
            { file: "index.ts", what: "the tags passed to every component, which tags every child" },
            { file: "policies/tagging.ts", what: "the required-tags policy" },
        ],
    },
];

export interface TestReference {
    readonly file: string;
    readonly title: string;
}

function specFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? specFiles(full) : e.name.endsWith(".spec.ts") ? [full] : [];
    });
}

/** A string or template literal as written in a spec file. */
const TITLE_PIECE = /`[^`]*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/;
/** `it(` and its title: one literal, or literals joined with `+` (a title too long for one line). */
const IT_TITLE = new RegExp(String.raw`\bit\(\s*((?:${TITLE_PIECE.source})(?:\s*\+\s*(?:${TITLE_PIECE.source}))*)`, "g");

/** Every test in tests/ whose title names a requirement id (template placeholders shown as `<name>`). */
export function testsByRequirement(root = ROOT): Map<string, TestReference[]> {
    const found = new Map<string, TestReference[]>();
    for (const file of specFiles(path.join(root, "tests")).sort()) {
        const text = fs.readFileSync(file, "utf8");
        for (const [, quoted] of text.matchAll(IT_TITLE)) {
            const title = [...quoted.matchAll(new RegExp(TITLE_PIECE.source, "g"))]
                .map(([piece]) => piece.slice(1, -1))
                .join("")
                .replace(/\$\{(\w+)\}/g, "<$1>")
                .replace(/\$\{[^}]*\}/g, "…");
            for (const id of new Set(title.match(/REQ-\d{3}/g) ?? [])) {
                found.set(id, [...(found.get(id) ?? []), { file: path.relative(root, file), title }]);
            }
        }
    }
    return found;
}

export function renderRequirementsDoc(root = ROOT): string {
    const tests = testsByRequirement(root);
    const checks = verifyChecks(fs.readFileSync(path.join(root, "docs", "verify.md"), "utf8"));
    const checksOf = (id: string) => checks.filter((c) => c.requirement === id);
    const items = [...new Set(checks.map((c) => c.item))];
    const lines = [
        "# Requirements: what implements and what tests each one",
        "",
        "<!-- Generated by `npx ts-node --transpile-only tools/requirements-doc.ts`. Do not edit by hand. -->",
        "",
        "The requirement ids the code, tests and policies cite. *Implemented by* is kept in",
        "`tools/requirements-doc.ts` (a test checks that every file exists); *enforced by* comes from each",
        "policy's `anchors.requirements` (see [compliance.md](compliance.md)); *tested by* lists every test",
        "whose title names the id (`<stack>` tests run once per stack file); *verified by* lists the",
        "`npm run verify` checks and drills that check it on a deployed stack ([verify.md](verify.md)).",
        "",
        "| Requirement | Implemented by | Policies | Tests | Verify checks |",
        "|---|---|---|---|---|",
        ...REQUIREMENTS.map((r) => {
            const enforcing = policies.filter((p) => p.anchors.requirements.includes(r.id));
            const files = r.implementedBy.map((i) => `\`${i.file}\``).join(", ");
            return (
                `| [${r.id}](#${r.id.toLowerCase()}) | ${files} | ${enforcing.length} ` +
                `| ${(tests.get(r.id) ?? []).length} | ${checksOf(r.id).length} |`
            );
        }),
        "",
        "## The verification checklist, as `npm run verify` checks",
        "",
        "`npm run verify -- --stack <name>` runs every check below against the deployed stack; drills run",
        "only with `--drill <name>`.",
        "",
        "| Checklist item | Checks | Requirements |",
        "|---|---|---|",
        ...items.map((item) => {
            const rows = checks.filter((c) => c.item === item);
            const ids = rows.map((c) => `\`${c.check.replace("|", "\\|")}\``).join(", ");
            return `| ${item} | ${ids} | ${[...new Set(rows.map((c) => c.requirement))].join(", ")} |`;
        }),
        "",
    ];
    for (const r of REQUIREMENTS) {
        const enforcing = policies.filter((p) => p.anchors.requirements.includes(r.id)).map((p) => `\`${p.name}\` (${p.enforcementLevel})`);
        lines.push(`<a id="${r.id.toLowerCase()}"></a>`, `## ${r.id}`, "", r.summary, "", "Implemented by:", "");
        lines.push(...r.implementedBy.map((i) => `- \`${i.file}\`: ${i.what}`), "");
        lines.push(
            `Enforced by policies: ${enforcing.length > 0 ? enforcing.join(", ") : "none (checked by the tests only)"}.`,
            "",
            "Tested by:",
            "",
        );
        lines.push(...(tests.get(r.id) ?? []).map((t) => `- \`${t.file}\`: ${t.title.replace(/\|/g, "\\|")}`), "");
        const verifiedBy = checksOf(r.id).map((c) => `\`${c.check}\` (${c.item})`);
        lines.push(
            `Verified on a deployed stack by: ` +
                `${verifiedBy.length > 0 ? verifiedBy.join(", ") : "no `npm run verify` check (proven by the tests and policies above)"}.`,
            "",
        );
    }
    return lines.join("\n");
}

if (require.main === module) {
    fs.writeFileSync(REQUIREMENTS_DOC_PATH, renderRequirementsDoc());
}
