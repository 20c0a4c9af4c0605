// The example under Pulumi's mocks, with the library loaded from its installed package: what a user
// composing it this way gets. `node --test test.js` (no Pulumi CLI, no AWS).
const assert = require("node:assert/strict");
const { test } = require("node:test");
const pulumi = require("@pulumi/pulumi");
const { resources, declared } = require("./mocks.js");

const program = require("./index.js");
const value = (output) => new Promise((resolve) => pulumi.output(output).apply(resolve));
const ofType = (type) => resources.filter((r) => r.type === type);

test("two clusters in the VPC given, no VPC, subnets or interface endpoints of their own", async () => {
    await declared();
    assert.equal(await value(program.ordersWriterEndpoint), "orders.cluster-x.eu-west-1.rds.amazonaws.com");
    assert.equal(await value(program.reportingWriterEndpoint), "reporting.cluster-x.eu-west-1.rds.amazonaws.com");
    assert.deepEqual(
        ofType("aws:rds/cluster:Cluster")
            .map((c) => c.inputs.clusterIdentifier)
            .sort(),
        ["orders", "reporting"],
    );
    assert.deepEqual([...ofType("aws:ec2/vpc:Vpc"), ...ofType("aws:ec2/subnet:Subnet"), ...ofType("aws:ec2/vpcEndpoint:VpcEndpoint")], []);
    for (const group of ofType("aws:rds/subnetGroup:SubnetGroup")) {
        assert.deepEqual(
            group.inputs.subnetIds,
            ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"],
            group.name,
        );
    }
});

test("orders keeps the production defaults: a proxy, AWS Backup, encrypted storage, deletion protection, two readers", async () => {
    assert.match(await value(program.ordersProxyEndpoint), /^orders-proxy\.proxy-x\./);
    assert.deepEqual(
        ofType("aws:rds/proxy:Proxy").map((p) => p.inputs.name),
        ["orders-proxy"],
    );
    const cluster = ofType("aws:rds/cluster:Cluster").find((c) => c.inputs.clusterIdentifier === "orders");
    assert.equal(cluster.inputs.storageEncrypted, true);
    assert.equal(cluster.inputs.deletionProtection, true);
    assert.equal(ofType("aws:rds/clusterInstance:ClusterInstance").filter((i) => i.inputs.clusterIdentifier === "orders").length, 3);
    assert.equal(ofType("aws:backup/plan:Plan").length, 1);
});

test("the billing service's security group reaches orders' database and proxy, and nothing of reporting", async () => {
    const fromBilling = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
        (r) => r.inputs.referencedSecurityGroupId === "sg-0b111100000000001",
    );
    assert.deepEqual(fromBilling.map((r) => r.name).sort(), ["orders-db-from-billing", "orders-proxy-from-billing"]);
});

test("reporting has no proxy and one reader", async () => {
    assert.equal(program.reportingProxyEndpoint, undefined);
    assert.equal(ofType("aws:rds/clusterInstance:ClusterInstance").filter((i) => i.inputs.clusterIdentifier === "reporting").length, 2);
});
