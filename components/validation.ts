/**
 * Value checks shared by the config loader (which names `aurora:*` keys) and the components (which
 * name their `args` fields). Each check returns `undefined` when the value is acceptable, otherwise a
 * sentence saying what is allowed; `Problems` prefixes it with the field and the bad value.
 */
import * as pulumi from "@pulumi/pulumi";

export type Check = string | undefined;

/** Collects every problem so that one error lists them all, as CDK's validateAllProps does. */
export class Problems {
    private readonly found: string[] = [];

    /** Records `problem` (if any) against `field` and its offending `value`. */
    check(field: string, value: unknown, problem: Check): void {
        if (problem !== undefined) {
            this.add(`${field} = ${JSON.stringify(value)}: ${problem}`);
        }
    }

    /**
     * Records a problem that concerns several fields at once. A problem already recorded is not repeated:
     * a setting that two components share (the secondary network mirrors `azCount`) is reported once.
     */
    add(message: string): void {
        if (!this.found.includes(message)) {
            this.found.push(message);
        }
    }

    get list(): readonly string[] {
        return this.found;
    }

    /** The combined message, or undefined when nothing was found. */
    message(heading: string): string | undefined {
        return this.found.length === 0 ? undefined : `${heading}\n${this.found.map((p) => `  - ${p}`).join("\n")}`;
    }

    /** Throws a ResourceError naming every problem (for component constructors). */
    throwIfAny(resource: pulumi.Resource, heading: string): void {
        const message = this.message(heading);
        if (message !== undefined) {
            throw new pulumi.ResourceError(message, resource, true);
        }
    }
}

/** AWS's identifier rule (clusters, instances, proxies, parameter groups), plus Terraform's lower-case rule. */
export function checkIdentifier(value: string, maxLength = 63): Check {
    if (value.length < 1 || value.length > maxLength) {
        return `must be 1 to ${maxLength} characters`;
    }
    if (!/^[a-z][a-z0-9-]*$/.test(value)) {
        return "must start with a lowercase letter and contain only lowercase letters, digits and hyphens";
    }
    if (value.includes("--") || value.endsWith("-")) {
        return "must not contain '--' or end with '-'";
    }
    return undefined;
}

export function checkIntegerRange(value: number, min: number, max: number): Check {
    return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be an integer from ${min} to ${max}`;
}

export function checkOneOf<T>(value: T, allowed: readonly T[]): Check {
    return allowed.includes(value) ? undefined : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
}

export function checkNonEmpty(value: string): Check {
    return value.trim().length > 0 ? undefined : "must be a non-empty string";
}

/** Parses `a.b.c.d/n` into a 32-bit base address and prefix length, or undefined when malformed. */
export function parseCidr(value: string): { base: number; prefix: number } | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return undefined;
    }
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((base & mask) >>> 0 !== base) {
        return undefined;
    }
    return { base, prefix };
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseCidr(c)!);

/** A valid IPv4 CIDR inside one of the RFC 1918 private ranges (so never 0.0.0.0/0). */
export function checkPrivateCidr(value: string): Check {
    const cidr = parseCidr(value);
    if (!cidr) {
        return "must be an IPv4 CIDR such as 10.0.0.0/16 with no host bits set";
    }
    const inside = PRIVATE_RANGES.some((r) => cidr.prefix >= r.prefix && (cidr.base ^ r.base) >>> (32 - r.prefix) === 0);
    return inside
        ? undefined
        : "must lie inside a private RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, " +
              "192.168.0.0/16); public ranges and 0.0.0.0/0 are never allowed";
}

/** Whether two valid CIDRs share an address (one contains the other's base). */
export function cidrsOverlap(a: string, b: string): boolean {
    const [x, y] = [parseCidr(a), parseCidr(b)];
    if (!x || !y) {
        return false;
    }
    const prefix = Math.min(x.prefix, y.prefix);
    return prefix === 0 || (x.base ^ y.base) >>> (32 - prefix) === 0;
}

/** An AWS region name other than `primaryRegion`: what a disaster-recovery copy or replica is sent to. */
export function checkOtherRegion(value: string, primaryRegion: string, what: string): Check {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value)) {
        return "must be an AWS region such as eu-central-1";
    }
    return value === primaryRegion
        ? `must differ from the stack's region (aws:region = ${primaryRegion}): ${what} in the same region is no disaster recovery`
        : undefined;
}

/** Splits a private CIDR into `count` equal subnets of `newPrefix` bits, starting at `offset`. */
export function subnetCidrs(vpcCidr: string, newPrefix: number, offset: number, count: number): string[] {
    const { base } = parseCidr(vpcCidr)!;
    const size = 2 ** (32 - newPrefix);
    return Array.from({ length: count }, (_, i) => {
        const addr = base + (offset + i) * size;
        return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}/${newPrefix}`;
    });
}

/** Values CloudWatch Logs accepts for a log group's retention (0 = never expire, which we never use). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function checkLogRetention(value: number): Check {
    return (LOG_RETENTION_DAYS as readonly number[]).includes(value)
        ? undefined
        : `must be one of CloudWatch Logs' retention values: ${LOG_RETENTION_DAYS.join(", ")}`;
}
