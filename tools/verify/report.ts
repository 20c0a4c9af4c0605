/**
 * The verification report: a terminal checklist (✓ pass, ✗ fail, ! not-run, - skipped, each with its
 * reason) and, with `--report <dir>`, the same as Markdown and JSON for an auditor to keep.
 */
import * as fs from "fs";
import * as path from "path";
import { CheckResult, CheckStatus, allPassed } from "./model";

/** One measured number of a drill, e.g. write downtime in milliseconds. */
export interface Measurement {
    readonly name: string;
    readonly value: number;
    readonly unit: string;
    /** The target it is held against (e.g. the RTO), when there is one. */
    readonly target?: number;
}

export interface DrillReport {
    readonly drill: string;
    readonly measurements: Measurement[];
    /** Timeline of what the drill did, for the auditor. */
    readonly events: string[];
}

export interface VerifyReport {
    readonly timestamp: string;
    readonly stack: string;
    readonly account: string;
    readonly region: string;
    readonly checks: CheckResult[];
    readonly drills: DrillReport[];
    readonly passed: boolean;
}

export function buildReport(fields: Omit<VerifyReport, "passed">): VerifyReport {
    return { ...fields, passed: allPassed(fields.checks) };
}

export const SYMBOLS: Record<CheckStatus, string> = { pass: "✓", fail: "✗", "not-run": "!", skipped: "-" };

function counts(checks: readonly CheckResult[]): string {
    const n = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
    return `${n("pass")} passed, ${n("fail")} failed, ${n("not-run")} not run, ${n("skipped")} skipped`;
}

function measurementText(m: Measurement): string {
    return `${m.name}: ${m.value} ${m.unit}${m.target === undefined ? "" : ` (target ${m.target} ${m.unit})`}`;
}

export function formatTerminal(report: VerifyReport): string {
    const lines = [`Verifying stack '${report.stack}' (account ${report.account}, ${report.region}) at ${report.timestamp}`, ""];
    let item = "";
    for (const c of report.checks) {
        if (c.item !== item) {
            item = c.item;
            lines.push(item);
        }
        lines.push(`  ${SYMBOLS[c.status]} ${c.id} [${c.requirement}] ${c.status === "pass" ? "" : `${c.status}: `}${c.evidence}`);
    }
    for (const d of report.drills) {
        lines.push("", `Drill ${d.drill}:`, ...d.measurements.map((m) => `  ${measurementText(m)}`));
    }
    lines.push("", `${counts(report.checks)}: ${report.passed ? "PASS" : "FAIL"}`);
    return lines.join("\n");
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function formatMarkdown(report: VerifyReport): string {
    const lines = [
        `# Verification report: stack \`${report.stack}\``,
        "",
        `| | |`,
        `|---|---|`,
        `| Time | ${report.timestamp} |`,
        `| Account | ${report.account} |`,
        `| Region | ${report.region} |`,
        `| Result | ${report.passed ? "PASS" : "FAIL"} (${counts(report.checks)}) |`,
        "",
        "## Checks",
        "",
        "| | Check | Checklist item | Requirement | Source | Status | Evidence |",
        "|---|---|---|---|---|---|---|",
        ...report.checks.map(
            (c) =>
                `| ${SYMBOLS[c.status]} | \`${c.id}\` | ${cell(c.item)} | ` +
                `${c.requirement} | ${c.source} | ${c.status} | ${cell(c.evidence)} |`,
        ),
    ];
    for (const d of report.drills) {
        lines.push("", `## Drill: ${d.drill}`, "", "| Measurement | Value | Target |", "|---|---|---|");
        lines.push(
            ...d.measurements.map(
                (m) => `| ${m.name} | ${m.value} ${m.unit} | ${m.target === undefined ? "—" : `${m.target} ${m.unit}`} |`,
            ),
        );
        lines.push("", "Timeline:", "", ...d.events.map((e) => `- ${e}`));
    }
    return lines.join("\n") + "\n";
}

/** Writes `verify-<stack>-<timestamp>.md` and `.json` into `dir`; returns their paths. */
export function writeReport(report: VerifyReport, dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `verify-${report.stack}-${report.timestamp.replace(/[:.]/g, "-")}`);
    fs.writeFileSync(`${base}.md`, formatMarkdown(report));
    fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + "\n");
    return [`${base}.md`, `${base}.json`];
}
