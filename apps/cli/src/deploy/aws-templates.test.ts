/**
 * The AWS side of a deployment (deploy/aws): the IAM policies allow what the code really sends and no more, the
 * CloudFormation template carries those very policies and the EventBridge rules the reference events need, and
 * the Terraform module declares the same. No AWS account is reachable here, so these are static checks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../repo-paths.ts';
import { awsCommandsIn, productSources } from './source-scan.ts';
import { parseYamlSubset, type YamlValue } from './yaml-subset.ts';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const read = (rel: string): string => readFileSync(path.join(repoRoot, rel), 'utf8');
const policyFile = (rel: string): PolicyDocument => JSON.parse(read(rel)) as PolicyDocument;

const IAM = 'deploy/aws/iam';
const central = policyFile(`${IAM}/central-policy.json`);
const mlServer = policyFile(`${IAM}/ml-server-policy.json`);
const trust = policyFile(`${IAM}/customer-role-trust.json`);
const assumeCustomerRoles = policyFile(`${IAM}/central-assume-role-policy.json`);
const controlPlaneTrust = policyFile(`${IAM}/control-plane-irsa-trust.json`);
const ALL_POLICIES = { central, mlServer, trust, assumeCustomerRoles, controlPlaneTrust };

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());
const globMatches = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);
const allowing = (doc: PolicyDocument, action: string): Statement[] =>
  doc.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).some((p) => globMatches(p, action)));

/**
 * Every AWS command in the product's code, with the process that sends it (and so the policy that must allow it).
 * `unused`: the CloudProvider has the method but no app calls it, so no policy grants it; wiring it in must come
 * with a policy change (the test below fails until this table says who sends it).
 */
const SENT_BY: Record<string, { action: string; by: 'central' | 'ml-server' | 'unused'; method?: string }> = {
  CreateFleet: { action: 'ec2:CreateFleet', by: 'central' },
  DescribeInstances: { action: 'ec2:DescribeInstances', by: 'central' },
  TerminateInstances: { action: 'ec2:TerminateInstances', by: 'central' },
  ReceiveMessage: { action: 'sqs:ReceiveMessage', by: 'central' },
  DeleteMessage: { action: 'sqs:DeleteMessage', by: 'central' },
  DescribeSpotPriceHistory: { action: 'ec2:DescribeSpotPriceHistory', by: 'ml-server' },
  CreateTags: { action: 'ec2:CreateTags', by: 'unused', method: 'tagInstances' },
  DescribeAvailabilityZones: { action: 'ec2:DescribeAvailabilityZones', by: 'unused', method: 'availabilityZones' },
};

/** The detail-types of shared/reference/aws-wire/eventbridge-*.json (checked against the files when shared/ is beside the repository). */
const REFERENCE_DETAIL_TYPES = ['AWS Health Event', 'EC2 Instance Rebalance Recommendation', 'EC2 Instance State-change Notification', 'EC2 Spot Instance Interruption Warning'];
const AWS_WIRE = path.resolve(repoRoot, '../shared/reference/aws-wire');

/** The tag central puts on every instance it launches (apps/central: executor and spot handler). */
function launchTagKey(): string {
  const keys = ['apps/central/src/executor/executor-types.ts', 'apps/central/src/spot-handler/replacement-launcher.ts'].map((file) => {
    const m = /export const CLUSTER_TAG = '([^']+)'/.exec(read(file));
    if (!m) throw new Error(`${file} no longer defines CLUSTER_TAG`);
    return m[1] as string;
  });
  expect(new Set(keys).size).toBe(1);
  return keys[0] as string;
}

describe('the IAM policies (deploy/aws/iam)', () => {
  const sources = productSources(['packages/cloud/src', 'apps/*/src']);
  const sent = new Set(sources.flatMap((s) => [...awsCommandsIn(s.text)]));

  it('know who sends every AWS command in the code (scanned: new XxxCommand( outside tests and the simulator)', () => {
    expect(sent.size).toBeGreaterThan(5);
    expect([...sent].filter((c) => !(c in SENT_BY)), 'commands nobody has decided a policy for').toEqual([]);
    expect(Object.keys(SENT_BY).filter((c) => !sent.has(c)), 'stale entries').toEqual([]);
  });

  it('allow every command to the process that sends it', () => {
    for (const [command, { action, by }] of Object.entries(SENT_BY)) {
      if (by === 'central') expect(allowing(central, action), command).not.toEqual([]);
      if (by === 'ml-server') expect(allowing(mlServer, action), command).not.toEqual([]);
    }
  });

  it('grant nothing for provider methods no app calls — wiring one in must come with a policy change', () => {
    const apps = productSources(['apps/*/src']);
    for (const { action, by, method } of Object.values(SENT_BY)) {
      if (by !== 'unused') continue;
      const callers = apps.filter((s) => s.text.includes(`.${method}(`)).map((s) => s.path);
      expect(callers, `${method} is called: decide who sends ${action} in SENT_BY and grant it`).toEqual([]);
    }
    // CreateTags is granted for launch-time tags only (next test): the standalone tagInstances stays unusable.
    expect(allowing(central, 'ec2:DescribeAvailabilityZones')).toEqual([]);
  });

  it('cover what a CreateFleet launch needs: RunInstances, tags only at launch, and only the node role passed', () => {
    expect(allowing(central, 'ec2:RunInstances')).not.toEqual([]);
    const tagging = allowing(central, 'ec2:CreateTags');
    expect(tagging).not.toEqual([]);
    for (const s of tagging) expect(list(s.Condition?.['StringEquals']?.['ec2:CreateAction'])).toEqual(expect.arrayContaining(['CreateFleet']));
    const passing = allowing(central, 'iam:PassRole');
    expect(passing.map((s) => [s.Resource, s.Condition?.['StringEquals']?.['iam:PassedToService']])).toEqual([['<NODE_ROLE_ARN>', 'ec2.amazonaws.com']]);
  });

  it('launch only instances carrying the tag central writes, and terminate only tagged instances', () => {
    const key = launchTagKey();
    // Both launch paths put the tag on: otherwise the RequestTag condition would refuse their launches.
    for (const file of ['apps/central/src/executor/cloud-steps.ts', 'apps/central/src/spot-handler/replacement-launcher.ts']) expect(read(file), file).toContain('[CLUSTER_TAG]: ');
    const instanceLaunch = allowing(central, 'ec2:CreateFleet').filter((s) => list(s.Resource).some((r) => r.endsWith(':instance/*')));
    expect(instanceLaunch.map((s) => s.Condition)).toEqual([{ Null: { [`aws:RequestTag/${key}`]: 'false' } }]);

    const terminating = allowing(central, 'ec2:TerminateInstances');
    expect(terminating.length).toBeGreaterThan(0);
    for (const s of terminating) {
      const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
      expect(keys.length, s.Sid).toBeGreaterThan(0);
      expect(keys.every((k) => k.startsWith('aws:ResourceTag/')), s.Sid).toBe(true);
      expect(list(s.Resource).every((r) => r.endsWith(':instance/*')), s.Sid).toBe(true);
    }
    expect(terminating.map((s) => s.Condition)).toContainEqual({ Null: { [`aws:ResourceTag/${key}`]: 'false' } });
  });

  it('use no wildcard actions and no "*" resource except for reads that take none', () => {
    for (const [name, doc] of Object.entries(ALL_POLICIES)) {
      expect(doc.Version, name).toBe('2012-10-17');
      const sids = doc.Statement.map((s) => s.Sid);
      expect(new Set(sids).size, `${name}: unique Sids`).toBe(sids.length);
      for (const s of doc.Statement.filter((st) => st.Effect === 'Allow')) {
        for (const action of list(s.Action)) {
          expect(action, `${name} ${s.Sid}`).not.toBe('*');
          expect(action, `${name} ${s.Sid}`).not.toMatch(/^[a-z0-9-]+:\*$/);
        }
        if (list(s.Resource).includes('*')) expect(list(s.Action).every((a) => /^ec2:Describe/.test(a)), `${name} ${s.Sid}`).toBe(true);
      }
    }
    expect(mlServer.Statement.flatMap((s) => list(s.Action))).toEqual(['ec2:DescribeSpotPriceHistory']);
    expect(central.Statement.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('sqs:'))).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage']);
  });

  it('trust the CloudOptim account only with the external id, and let central assume only CloudOptim roles', () => {
    expect(trust.Statement).toHaveLength(1);
    const [s] = trust.Statement as [Statement];
    expect([s.Effect, s.Action, s.Principal]).toEqual(['Allow', 'sts:AssumeRole', { AWS: 'arn:aws:iam::<CLOUDOPTIM_ACCOUNT_ID>:root' }]);
    expect(s.Condition).toEqual({ StringEquals: { 'sts:ExternalId': '<EXTERNAL_ID>' } });
    expect(assumeCustomerRoles.Statement.map((st) => [st.Action, st.Resource])).toEqual([['sts:AssumeRole', 'arn:aws:iam::*:role/cloudoptim/*']]);
  });
});

// --- CloudFormation -------------------------------------------------------------------------------------------

type YamlMap = { [key: string]: YamlValue };
const asMap = (v: YamlValue | undefined, what: string): YamlMap => {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} is not a mapping`);
  return v;
};
const template = asMap(parseYamlSubset(read('deploy/aws/cloudformation/customer-account.yaml')), 'the template');
const resources = asMap(template['Resources'], 'Resources');
const resource = (id: string) => asMap(resources[id], id);
const props = (id: string) => asMap(resource(id)['Properties'], `${id}.Properties`);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => asMap(r, 'resource')['Type'] === type);

/** CloudFormation's `${…}` names → the placeholders of the JSON files. */
const SUB_TO_PLACEHOLDER: Record<string, string> = {
  'AWS::Region': '<REGION>',
  'AWS::AccountId': '<ACCOUNT_ID>',
  ClusterName: '<CLUSTER_NAME>',
  NodeRoleArn: '<NODE_ROLE_ARN>',
  CloudOptimAccountId: '<CLOUDOPTIM_ACCOUNT_ID>',
  ExternalId: '<EXTERNAL_ID>',
};
function subPolicy(value: YamlValue | undefined, what: string): PolicyDocument {
  const sub = asMap(value, what)['Fn::Sub'];
  if (typeof sub !== 'string') throw new Error(`${what} is not an Fn::Sub string`);
  return JSON.parse(
    sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const placeholder = SUB_TO_PLACEHOLDER[name];
      if (placeholder === undefined) throw new Error(`${what}: unknown \${${name}}`);
      return placeholder;
    }),
  ) as PolicyDocument;
}

describe('the CloudFormation template (deploy/aws/cloudformation/customer-account.yaml)', () => {
  const rules = ofType('AWS::Events::Rule').map(([id, r]) => {
    const p = asMap(asMap(r, id)['Properties'], id);
    const pattern = asMap(p['EventPattern'], `${id}.EventPattern`);
    return { id, sources: pattern['source'], detailTypes: pattern['detail-type'] as string[], targets: p['Targets'] as YamlMap[] };
  });

  it('takes the parameters the guide names and outputs what the cluster settings need', () => {
    expect(Object.keys(asMap(template['Parameters'], 'Parameters')).sort()).toEqual(['CloudOptimAccountId', 'ClusterName', 'ExternalId', 'NodeRoleArn']);
    expect(Object.keys(asMap(template['Outputs'], 'Outputs'))).toEqual(expect.arrayContaining(['RoleArn', 'QueueUrl', 'ExternalIdHint']));
  });

  it('accepts only the external id CloudOptim issues (cloudoptim-<customer id>), and never puts one in the settings body', () => {
    const pattern = new RegExp(asMap(asMap(template['Parameters'], 'Parameters')['ExternalId'], 'ExternalId')['AllowedPattern'] as string);
    const terraform = /regex\("([^"]+)", var\.external_id\)/.exec(read('deploy/aws/terraform/customer-account/variables.tf'))?.[1];
    expect(terraform).toBeDefined();
    for (const accepts of [pattern, new RegExp(terraform ?? '$^')]) {
      expect('cloudoptim-11111111-2222-4333-8444-555555555555').toMatch(accepts);
      for (const chosen of ['co-1234', 'ext-42', 'cloudoptim-', 'cloudoptim-11111111-2222-4333-8444-555555555555-x', 'CLOUDOPTIM-11111111-2222-4333-8444-555555555555']) expect(chosen).not.toMatch(accepts);
    }
    const patch = asMap(asMap(template['Outputs'], 'Outputs')['ClusterSettingsPatch'], 'ClusterSettingsPatch');
    expect(JSON.stringify(patch)).not.toContain('aws_external_id');
    expect(read('deploy/aws/terraform/customer-account/outputs.tf')).not.toMatch(/^\s*aws_external_id\s*=/m);
  });

  it('gives the role exactly the policies of the JSON files (trust with external id, central-policy.json inlined)', () => {
    const role = props('CentralRole');
    expect(subPolicy(role['AssumeRolePolicyDocument'], 'AssumeRolePolicyDocument')).toEqual(trust);
    const inline = role['Policies'] as YamlMap[];
    expect(inline).toHaveLength(1);
    expect(subPolicy(asMap(inline[0], 'policy')['PolicyDocument'], 'PolicyDocument')).toEqual(central);
    expect(role['Path']).toBe('/cloudoptim/');
    expect(role['ManagedPolicyArns']).toBeUndefined();
  });

  it('routes exactly the reference event types, each from its source, to the queue', () => {
    expect(rules.flatMap((r) => r.detailTypes).sort()).toEqual(REFERENCE_DETAIL_TYPES);
    for (const r of rules) {
      expect(r.sources, r.id).toEqual(r.detailTypes[0] === 'AWS Health Event' ? ['aws.health'] : ['aws.ec2']);
      expect(r.targets.map((t) => t['Arn']), r.id).toEqual([{ 'Fn::GetAtt': ['InterruptionQueue', 'Arn'] }]);
    }
  });

  it('routes every detail-type the interruption parser reads', () => {
    const parsed = [...read('packages/cloud/src/eventbridge-messages.ts').matchAll(/: '(EC2 [^']+)'/g)].map((m) => m[1] as string);
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    expect(rules.flatMap((r) => r.detailTypes)).toEqual(expect.arrayContaining(parsed));
  });

  it.skipIf(!existsSync(AWS_WIRE))('matches the detail-types of the aws-wire reference samples', () => {
    const types = readdirSync(AWS_WIRE)
      .filter((f) => /^eventbridge-.*\.json$/.test(f))
      .map((f) => (JSON.parse(readFileSync(path.join(AWS_WIRE, f), 'utf8')) as { 'detail-type': string })['detail-type']);
    expect([...new Set(types)].sort()).toEqual(REFERENCE_DETAIL_TYPES);
  });

  it('keeps the queue encrypted and short-lived, named as the policy expects, writable only by its rules', () => {
    const queue = props('InterruptionQueue');
    expect(queue['SqsManagedSseEnabled']).toBe('true');
    expect(Number(queue['MessageRetentionPeriod'])).toBeLessThanOrEqual(900);
    expect(queue['QueueName']).toEqual({ 'Fn::Sub': 'cloudoptim-${ClusterName}' });
    expect(list(allowing(central, 'sqs:ReceiveMessage')[0]?.Resource)).toEqual(['arn:aws:sqs:<REGION>:<ACCOUNT_ID>:cloudoptim-<CLUSTER_NAME>']);

    const policy = asMap(props('InterruptionQueuePolicy')['PolicyDocument'], 'queue policy');
    const statements = policy['Statement'] as YamlMap[];
    const allow = statements.filter((s) => s['Effect'] === 'Allow');
    expect(allow).toHaveLength(1);
    expect([allow[0]?.['Principal'], allow[0]?.['Action']]).toEqual([{ Service: 'events.amazonaws.com' }, 'sqs:SendMessage']);
    const sourceArns = asMap(asMap(allow[0]?.['Condition'], 'Condition')['ArnEquals'], 'ArnEquals')['aws:SourceArn'] as YamlMap[];
    expect(sourceArns.map((a) => (a['Fn::GetAtt'] as string[])[0]).sort()).toEqual(rules.map((r) => r.id).sort());
  });
});

// --- Terraform ------------------------------------------------------------------------------------------------

describe('the Terraform module (deploy/aws/terraform/customer-account)', () => {
  const dir = 'deploy/aws/terraform/customer-account';
  const main = read(`${dir}/main.tf`);

  it('declares the same rules as the CloudFormation template', () => {
    const declared = [...main.matchAll(/^\s*source\s*=\s*"([^"]+)"\s*\n\s*detail_type\s*=\s*"([^"]+)"/gm)].map((m) => `${m[1]} ${m[2]}`);
    const cfn = ofType('AWS::Events::Rule').map(([id, r]) => {
      const pattern = asMap(asMap(asMap(r, id)['Properties'], id)['EventPattern'], id);
      return `${(pattern['source'] as string[])[0]} ${(pattern['detail-type'] as string[])[0]}`;
    });
    expect(declared.sort()).toEqual(cfn.sort());
    expect(main).toMatch(/"detail-type"\s*=\s*\[each\.value\.detail_type\]/);
    expect(main).toMatch(/"aws:SourceArn"\s*=\s*\[for rule in aws_cloudwatch_event_rule\.interruptions : rule\.arn\]/);
  });

  it('uses the IAM JSON files themselves, with every placeholder filled', () => {
    for (const file of ['central-policy.json', 'customer-role-trust.json']) {
      expect(main).toContain(`file("\${local.iam_dir}/${file}")`);
      for (const placeholder of new Set(read(`${IAM}/${file}`).match(/<[A-Z_]+>/g))) expect(main, `${file}: ${placeholder}`).toContain(`"${placeholder}"`);
    }
    expect(main).toMatch(/iam_dir\s*=\s*"\$\{path\.module\}\/\.\.\/\.\.\/iam"/);
    expect(main).toMatch(/policy\s*=\s*local\.central_policy/);
    expect(main).toMatch(/assume_role_policy\s*=\s*local\.trust_policy/);
  });

  it('keeps the queue and role as in the template', () => {
    expect(main).toContain('queue_name = "cloudoptim-${var.cluster_name}"');
    expect(main).toMatch(/message_retention_seconds\s*=\s*300/);
    expect(main).toMatch(/sqs_managed_sse_enabled\s*=\s*true/);
    expect(main).toMatch(/path\s*=\s*"\/cloudoptim\/"/);
    const variables = read(`${dir}/variables.tf`);
    for (const v of ['cloudoptim_account_id', 'external_id', 'node_role_arn', 'cluster_name']) expect(variables).toContain(`variable "${v}"`);
    const outputs = read(`${dir}/outputs.tf`);
    for (const o of ['role_arn', 'queue_url', 'external_id_hint']) expect(outputs).toContain(`output "${o}"`);
  });
});
