// Pulumi's mocks for running a program that uses @aurora-pulumi/aurora-postgres without the Pulumi
// CLI or AWS: every resource echoes its inputs with AWS-shaped ids and the outputs the library reads;
// every invoke it makes is answered, and an unknown one fails loudly.
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

// Resources register as the outputs they depend on resolve; under mocks nothing waits on I/O, so the
// program is fully declared once a few turns of the event loop register nothing new.
async function declared() {
    for (let quiet = 0; quiet < 5;) {
        const before = resources.length;
        await new Promise((resolve) => setTimeout(resolve, 10));
        quiet = resources.length === before ? quiet + 1 : 0;
    }
}

module.exports = { resources, declared };
