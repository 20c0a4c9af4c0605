/**
 * The vocabulary of `npm run verify`: a check belongs to an item of the project's verification
 * checklist and to a requirement, and ends in one of four states. Only `pass` and `skipped` (the
 * stack's configuration does not ask for the property) count as success; a check that could not run
 * is `not-run`, never a pass.
 */

export type CheckStatus = "pass" | "fail" | "not-run" | "skipped";

export interface CheckResult {
    /** Stable identifier, e.g. `cluster.available` or `db.tls.verify-full`. */
    readonly id: string;
    /** The verification checklist item it proves, e.g. "Cluster healthy across AZs". */
    readonly item: string;
    /** Requirement id from the specification, e.g. `REQ-001`. */
    readonly requirement: string;
    /** Where it ran: the AWS APIs, inside the VPC (the bootstrap function), or a drill. */
    readonly source: "aws" | "in-database" | "drill";
    readonly status: CheckStatus;
    /** What was observed: the values compared, or why the check could not run. */
    readonly evidence: string;
}

/** Thrown by a check that cannot run (missing stack output, no permission, no route): reported as `not-run`. */
export class NotRunError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NotRunError";
    }
}

/** A missing resource is a failure of the stack, not of the verifier. */
const NOT_FOUND = /NotFound|NoSuchEntity|ResourceNotFound|DoesNotExist/;

/**
 * How an exception inside a check is reported. Missing resources are failures; everything else
 * (access denied, throttling after the SDK's retries, no network route, expired credentials) means
 * the check did not run.
 */
export function statusOfError(error: unknown): { status: CheckStatus; evidence: string } {
    const e = error as { name?: string; message?: string; Code?: string };
    const name = e?.name ?? "Error";
    const message = e?.message ?? String(error);
    if (error instanceof NotRunError) {
        return { status: "not-run", evidence: message };
    }
    if (NOT_FOUND.test(name) || NOT_FOUND.test(e?.Code ?? "")) {
        return { status: "fail", evidence: `${name}: ${message}` };
    }
    return { status: "not-run", evidence: `could not run: ${name}: ${message}` };
}

/** Whether a set of results lets the command exit 0. */
export function allPassed(results: readonly CheckResult[]): boolean {
    return results.length > 0 && results.every((r) => r.status === "pass" || r.status === "skipped");
}
