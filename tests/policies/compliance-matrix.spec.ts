import { expect } from "chai";
import * as fs from "fs";
import { policies } from "../../policies/policies";
import { MATRIX_PATH, main, renderComplianceMatrix } from "../../tools/compliance-matrix";

describe("compliance matrix (docs/compliance.md)", () => {
    it(
        "the committed docs/compliance.md is what tools/compliance-matrix.ts generates " +
            "(regenerate with `npx ts-node --transpile-only tools/compliance-matrix.ts`)",
        () => {
            expect(fs.readFileSync(MATRIX_PATH, "utf8")).to.equal(renderComplianceMatrix(policies));
        },
    );

    it("has one row per requirement and policy, with level, severity and every anchor", () => {
        const md = renderComplianceMatrix(policies);
        const rows = md.split("\n").filter((l) => /^\| REQ-\d{3} \|/.test(l));
        expect(rows).to.have.length(policies.reduce((n, p) => n + p.anchors.requirements.length, 0));
        expect(md).to.include(
            "| REQ-002 | `rds-cluster-storage-encrypted-cmk` | resource | mandatory | high | " +
                "RDS.27 | rds-cluster-encrypted-at-rest | CKV_AWS_96, CKV_AWS_327 | HIPAA, PCI DSS |",
        );
        expect(md).to.include(
            "| REQ-001 | `aurora-cluster-multi-az` | stack | mandatory | high | RDS.15 | rds-cluster-multi-az-enabled | — | HIPAA |",
        );
        expect(md).to.include("| REQ-006 | `cloudwatch-log-group-retention` | resource | advisory | low |");
    });

    it("main writes the file and says so", () => {
        const lines: string[] = [];
        const before = fs.readFileSync(MATRIX_PATH, "utf8");
        try {
            main((l) => lines.push(l));
            expect(fs.readFileSync(MATRIX_PATH, "utf8")).to.equal(renderComplianceMatrix(policies));
            expect(lines[0]).to.match(/^Wrote .*compliance\.md$/);
        } finally {
            fs.writeFileSync(MATRIX_PATH, before);
        }
    });
});
