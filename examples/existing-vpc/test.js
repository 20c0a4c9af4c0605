// The example under Pulumi's mocks, with the library loaded from its installed package: what a user
// composing it this way gets. `node --test test.js` (no Pulumi CLI, no AWS).
const assert = require("node:assert/strict");
const { test } = require("node:test");
const pulumi = require("@pulumi/pulumi");

const resources = [];
const invokes = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:user/test",
        userId: "AIDATEST",
    }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({ names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }),
    "aws:rds/getEngineVersion:getEngineVersion": (inputs) => ({
        ...inputs,
        versionActual: "17.5",
        parameterGroupFamily: "aurora-postgresql17",
    }),
    "aws:ec2/getVpc:getVpc": (inputs) => ({ id: inputs.id, cidrBlock: "10.90.0.0/16" }),
    "aws:ec2/getSubnet:getSubnet": (inputs) => ({
        id: inputs.id,
        vpcId: "vpc-0a1b2c3d4e5f60789",
        availabilityZone: `eu-west-1${"abc"[Number(inputs.id.slice(-1)) - 1]}`,
    }),
};

pulumi.runtime.setMocks(
    {
        newResource({ type, name, inputs }) {
            resources.push({ type, name, inputs });
            // AWS ids: the cluster identifier for clusters (instances refer to it), the name where there is one.
            const id = inputs.clusterIdentifier ?? inputs.identifier ?? `${name}-id`;
            const state = { ...inputs, id, arn: `arn:aws:${type.split(":")[1]}:eu-west-1:123456789012:${name}`, name: inputs.name ?? name };
            if (type === "aws:rds/cluster:Cluster")
                Object.assign(state, {
                    endpoint: `${inputs.clusterIdentifier}.cluster-x.eu-west-1.rds.amazonaws.com`,
                    readerEndpoint: `${inputs.clusterIdentifier}.cluster-ro-x.eu-west-1.rds.amazonaws.com`,
                    clusterResourceId: `cluster-${name}`,
                    masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-master` }],
                });
            if (type === "aws:rds/proxy:Proxy" || type === "aws:rds/proxyEndpoint:ProxyEndpoint")
                state.endpoint = `${name}.proxy-x.eu-west-1.rds.amazonaws.com`;
            if (type === "aws:lambda/invocation:Invocation") state.result = JSON.stringify({ mode: "apply", changes: [] });
            if (type === "aws:kms/key:Key") state.keyId = id;
            return { id, state };
        },
        call({ token, inputs }) {
            const answer = invokes[token];
            if (!answer) throw new Error(`no mock for invoke ${token}`);
            return answer(inputs);
        },
    },
    "aurora-existing-vpc",
    "test",
    false,
);

const program = require("./index.js");
const value = (output) => new Promise((resolve) => pulumi.output(output).apply(resolve));
const ofType = (type) => resources.filter((r) => r.type === type);

// Resources register as the outputs they depend on resolve; under mocks nothing waits on I/O, so the
// program is fully declared once a few turns of the event loop register nothing new.
async function declared() {
    for (let quiet = 0; quiet < 5;) {
        const before = resources.length;
        await new Promise((resolve) => setTimeout(resolve, 10));
        quiet = resources.length === before ? quiet + 1 : 0;
    }
}

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
