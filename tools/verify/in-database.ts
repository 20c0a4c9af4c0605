/**
 * In-database checks run inside the VPC: the bootstrap function (stack output `bootstrapFunctionName`)
 * invoked with `{"mode":"verify"}` (and the proxy to log in through, when the stack has one) connects
 * as each user and reports its own checks, which are merged into the report. Without the function,
 * every in-database check is reported as not-run.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { BootstrapEvent } from "../../functions/bootstrap/handler";
import { IN_DATABASE_ITEMS as ITEMS, ProxyTarget, expectedCheckIds } from "../../functions/bootstrap/verify";
import { AwsClients } from "./aws";
import { CheckResult, CheckStatus, statusOfError } from "./model";
import { StackOutputs } from "./stack";

/** The checklist items the function covers, reported as not-run when it cannot be invoked. */
export const IN_DATABASE_ITEMS: ReadonlyArray<Pick<CheckResult, "id" | "item" | "requirement">> = Object.values(ITEMS);

interface FunctionCheck {
    id?: unknown;
    item?: unknown;
    requirement?: unknown;
    status?: unknown;
    evidence?: unknown;
}

const STATUSES: readonly CheckStatus[] = ["pass", "fail", "not-run"];

function notRun(reason: string): CheckResult[] {
    return IN_DATABASE_ITEMS.map((c) => ({ ...c, source: "in-database", status: "not-run", evidence: reason }));
}

/** Validates one entry of the function's answer; anything malformed is a not-run, never a pass. */
function toResult(entry: FunctionCheck, index: number): CheckResult {
    const id = typeof entry.id === "string" ? entry.id : `db.unnamed-${index + 1}`;
    const base = {
        id,
        item: String(entry.item ?? "In-database check"),
        requirement: String(entry.requirement ?? "unknown"),
        source: "in-database" as const,
    };
    const status = STATUSES.find((s) => s === entry.status);
    if (status === undefined) {
        return { ...base, status: "not-run", evidence: `the bootstrap function reported status ${JSON.stringify(entry.status)}` };
    }
    return { ...base, status, evidence: String(entry.evidence ?? "") };
}

/**
 * The checklist item a check id of the function belongs to (`db.application-users.app.proxy` is
 * `db.application-users`'s), with that id.
 */
export function inDatabaseItemOf(id: string): Pick<CheckResult, "id" | "item" | "requirement"> {
    const item = IN_DATABASE_ITEMS.find((i) => id === i.id || id.startsWith(`${i.id}.`));
    if (item === undefined) {
        throw new Error(`${id} is not an in-database check id`);
    }
    return { ...item, id };
}

/** The checks the function should have reported for the stack's users (stack output `appSecretArns`) but did not: not-run. */
function missing(results: readonly CheckResult[], outputs: StackOutputs, proxy: ProxyTarget | undefined): CheckResult[] {
    const reported = new Set(results.map((r) => r.id));
    const users = Object.keys(outputs.optional<Record<string, string>>("appSecretArns") ?? {});
    return expectedCheckIds(users, proxy !== undefined)
        .filter((id) => !reported.has(id))
        .map((id) => {
            return {
                ...inDatabaseItemOf(id),
                source: "in-database",
                status: "not-run",
                evidence: "the bootstrap function did not report this check",
            };
        });
}

/** The proxy the application users also log in through: the stack's `proxyEndpoint`, with IAM tokens when `proxyIamAuth` is on. */
export function proxyTarget(outputs: StackOutputs, iamAuth: boolean): ProxyTarget | undefined {
    const host = outputs.optional<string>("proxyEndpoint");
    return host === undefined ? undefined : { host, port: outputs.get<number>("port"), iamAuth };
}

export async function runInDatabaseChecks(outputs: StackOutputs, clients: AwsClients, proxy?: ProxyTarget): Promise<CheckResult[]> {
    const functionName = outputs.optional("bootstrapFunctionName");
    if (functionName === undefined) {
        return notRun(
            "stack output 'bootstrapFunctionName' is missing: " +
                "the stack has no bootstrap function to run the in-database checks inside the VPC",
        );
    }
    const event: BootstrapEvent = { mode: "verify", ...(proxy ? { proxy } : {}) };
    try {
        const response = await clients.lambda.send(
            new InvokeCommand({
                FunctionName: functionName,
                InvocationType: "RequestResponse",
                Payload: Buffer.from(JSON.stringify(event)),
            }),
        );
        const text = Buffer.from(response.Payload ?? new Uint8Array()).toString("utf8");
        if (response.FunctionError !== undefined) {
            return notRun(`${functionName} failed (${response.FunctionError}): ${text.slice(0, 500)}`);
        }
        const body = JSON.parse(text) as { mode?: unknown; checks?: unknown };
        if (body.mode !== "verify" || !Array.isArray(body.checks) || body.checks.length === 0) {
            return notRun(`${functionName} did not answer in verify mode: ${text.slice(0, 500)}`);
        }
        const results = body.checks.map((c, i) => toResult(c as FunctionCheck, i));
        return [...results, ...missing(results, outputs, proxy)];
    } catch (e) {
        return notRun(`invoking ${functionName}: ${statusOfError(e).evidence}`);
    }
}
