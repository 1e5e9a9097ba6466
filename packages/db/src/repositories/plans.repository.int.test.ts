import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDecisionRequest, exampleDecisionResponse, isAppError, type AppError } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, PlansRepository, SavingsLedgerRepository, schema, type Cluster, type Customer, type Database, type NewPlan } from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

function newPlan(clusterId: string, overrides: Partial<NewPlan> = {}): NewPlan {
  const response = exampleDecisionResponse();
  return {
    clusterId,
    decisionType: 'spot_optimize',
    status: 'proposed',
    trigger: 'user',
    dryRun: false,
    outcome: 'planned',
    request: exampleDecisionRequest({ cluster_id: clusterId, request_id: `req-${Math.random().toString(36).slice(2)}` }),
    response,
    estimatedSavingsMonthly: response.estimated_savings,
    createdBy: 'user:ops@alice.example',
    steps: response.execution_plan.map((s) => ({ step: s.step, action: s.action, description: s.description ?? null, dependsOn: s.depends_on, notBefore: null, parameters: s.parameters as Record<string, unknown> })),
    ...overrides,
  };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('plans and savings ledger on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let plansRepo: PlansRepository;
  let ledger: SavingsLedgerRepository;
  let alice: Customer;
  let bob: Customer;
  let aliceCluster: Cluster;
  let bobCluster: Cluster;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    plansRepo = new PlansRepository(database.db);
    ledger = new SavingsLedgerRepository(database.db);
    const customers = new CustomersRepository(database.db);
    const clusters = new ClustersRepository(database.db);
    alice = await customers.create({ name: 'Alice Corp' });
    bob = await customers.create({ name: 'Bob Ltd' });
    aliceCluster = await clusters.create(alice.id, { name: 'prod', region: 'us-east-1' });
    bobCluster = await clusters.create(bob.id, { name: 'prod', region: 'us-east-1' });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  it('stores a plan with its steps and reads it back as stored', async () => {
    const input = newPlan(aliceCluster.id);
    const created = await plansRepo.create(alice.id, input);
    expect(created).toMatchObject({ customerId: alice.id, clusterId: aliceCluster.id, status: 'proposed', trigger: 'user', estimatedSavingsMonthly: 258.49, actualSavingsMonthly: null });
    expect(created.steps.map((s) => [s.step, s.action, s.status, s.attempt])).toEqual(input.steps.map((s) => [s.step, s.action, 'pending', 0]));
    const found = await plansRepo.find(alice.id, created.id);
    expect(found?.response).toEqual(input.response);
    expect(found?.request).toEqual(input.request);
    expect(found?.steps[1]).toMatchObject({ dependsOn: [1], parameters: { count: 2, node_names: [], timeout_seconds: 600 } });
  });

  it('hides a plan from another customer; null scope sees it', async () => {
    const plan = await plansRepo.create(alice.id, newPlan(aliceCluster.id));
    expect(await plansRepo.find(bob.id, plan.id)).toBeNull();
    expect((await plansRepo.find(null, plan.id))?.id).toBe(plan.id);
    expect(await plansRepo.find(alice.id, 'not-a-uuid')).toBeNull();
    expect(await plansRepo.transition(bob.id, plan.id, ['proposed'], 'approved')).toBeNull();
    expect((await plansRepo.find(alice.id, plan.id))?.status).toBe('proposed');
  });

  it("refuses a plan on another customer's cluster (composite key)", async () => {
    const error = await rejection(plansRepo.create(alice.id, newPlan(bobCluster.id)));
    expect(error.code).toBe('NOT_FOUND');
  });

  it('transitions only from the expected statuses (compare-and-set)', async () => {
    const plan = await plansRepo.create(alice.id, newPlan(aliceCluster.id));
    const at = new Date('2026-01-01T10:00:00Z');
    const approved = await plansRepo.transition(alice.id, plan.id, ['proposed'], 'approved', { approvedBy: 'user:a@x', approvedAt: at });
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'user:a@x', approvedAt: at });
    expect(await plansRepo.transition(alice.id, plan.id, ['proposed'], 'rejected')).toBeNull();
  });

  it('persists step state changes', async () => {
    const plan = await plansRepo.create(alice.id, newPlan(aliceCluster.id));
    const started = new Date('2026-01-01T10:00:00Z');
    await plansRepo.updateStep(plan.id, 1, { status: 'running', attempt: 1, startedAt: started });
    await plansRepo.updateStep(plan.id, 1, { status: 'succeeded', finishedAt: started, outcome: { instance_ids: ['i-0123456789abcdef0'] } });
    const [step] = await plansRepo.stepsOf(plan.id);
    expect(step).toMatchObject({ status: 'succeeded', attempt: 1, startedAt: started, outcome: { instance_ids: ['i-0123456789abcdef0'] } });
    expect(await plansRepo.updateStep(plan.id, 99, { status: 'running' })).toBeNull();
  });

  it('lists newest first with filters and a total; executable plans exclude dry runs', async () => {
    const { id: dry } = await plansRepo.create(alice.id, newPlan(aliceCluster.id, { dryRun: true, status: 'approved' }));
    const { id: live } = await plansRepo.create(alice.id, newPlan(aliceCluster.id, { status: 'approved', trigger: 'consolidator', decisionType: 'bin_pack' }));
    const page = await plansRepo.list(alice.id, { clusterId: aliceCluster.id, status: 'approved', limit: 1 });
    expect(page.total).toBeGreaterThanOrEqual(2);
    expect(page.items).toHaveLength(1);
    expect((await plansRepo.list(bob.id)).total).toBe(0);
    const executable = (await plansRepo.listExecutable()).map((p) => p.id);
    expect(executable).toContain(live);
    expect(executable).not.toContain(dry);
    const forCluster = await plansRepo.listForCluster(alice.id, aliceCluster.id, ['approved']);
    expect(forCluster.find((p) => p.id === live)?.steps.length).toBeGreaterThan(0);
    expect(await plansRepo.listForCluster(bob.id, aliceCluster.id, ['approved'])).toEqual([]);
  });

  it('records a finished plan in optimization_history (idempotently)', async () => {
    const plan = await plansRepo.create(alice.id, newPlan(aliceCluster.id, { status: 'approved' }));
    const done = await plansRepo.transition(alice.id, plan.id, ['approved'], 'succeeded', { finishedAt: new Date('2026-01-01T11:00:00Z') });
    await plansRepo.recordHistory(done!);
    await plansRepo.recordHistory(done!);
    const rows = await database.db.select().from(schema.optimizationHistory);
    const row = rows.filter((r) => r.id === plan.id);
    expect(row).toHaveLength(1);
    expect(row[0]).toMatchObject({ status: 'succeeded', estimatedSavings: 258.49, requestId: plan.request.request_id, customerId: alice.id });
  });

  it('records savings measurements and sets the plan actual savings', async () => {
    const plan = await plansRepo.create(alice.id, newPlan(aliceCluster.id));
    const measuredAt = new Date('2026-01-02T00:00:00Z');
    const m = await ledger.record(alice.id, { planId: plan.id, actualMonthly: 201.5, measuredAt, details: { window_hours: 24 } });
    expect(m).toMatchObject({ planId: plan.id, clusterId: aliceCluster.id, predictedMonthly: 258.49, actualMonthly: 201.5, measuredAt });
    expect((await plansRepo.find(alice.id, plan.id))?.actualSavingsMonthly).toBe(201.5);
    expect(await ledger.listForPlan(alice.id, plan.id)).toHaveLength(1);
    expect(await ledger.listForPlan(bob.id, plan.id)).toEqual([]);
    expect((await ledger.list(alice.id, { clusterId: aliceCluster.id })).map((x) => x.id)).toContain(m.id);
    expect((await rejection(ledger.record(bob.id, { planId: plan.id, actualMonthly: 1, measuredAt }))).code).toBe('NOT_FOUND');
  });
});
