/**
 * The admin UI in a real browser (Debian's Chromium through playwright-core) against central and the ML server
 * running in this process: sign in, watch savings move live, register a cluster, plan and approve an
 * optimization, upload a model (and see a bad one refused) and test a prediction, fill price gaps with progress,
 * run a backtest, and visit every page at 1280 px (one also on a narrow screen), saving a screenshot of each (into
 * docs/screenshots/ with UPDATE_SCREENSHOTS=1).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, CHROMIUM, clusterMetrics, startHarness, type Harness } from './harness.ts';
import { trainSmallModel } from './model-artifact.ts';

// The documentation's screenshots are refreshed on request only (UPDATE_SCREENSHOTS=1), so a test run leaves the
// working tree as it found it; otherwise they still get taken, into a scratch directory.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : join(tmpdir(), 'cloudoptim-ui-screenshots');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`admin UI e2e skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top: a full-page capture of a scrolled page draws the fixed header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A form field by its label (a required field's label ends in " *"). */
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s*\\*)?$`)).first();
}

/** Opens a Mantine select by its label and picks an option. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await field(page, label).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function go(page: Page, path: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: heading, exact: true }).click();
  await page.waitForURL((url) => url.pathname === path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe.skipIf(!hasChromium)('admin UI in Chromium', () => {
  let h: Harness;
  let page: Page;

  beforeAll(async () => {
    h = await startHarness();
    page = h.page;
  }, 120_000);
  afterAll(() => h?.close());

  it('signs in and shows the overview, which moves live with new metrics', async () => {
    await page.goto(h.url);
    await page.getByRole('heading', { name: 'Sign in to CloudOptim' }).waitFor();
    await shot(page, 'login');
    await field(page, 'E-mail').fill(ADMIN_EMAIL);
    await field(page, 'Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await expect.poll(() => page.getByTestId('stream-status').textContent()).toBe('Live');
    const cost = page.getByTestId('stat-cost-now');
    const before = await cost.textContent();
    expect(before).toMatch(/^\$\d/);
    await page.getByText('Cost per hour, last 7 days').waitFor();
    await shot(page, 'overview');

    // The agent reports one more on-demand node: central reprices the cluster and streams its new state.
    await h.postMetrics(clusterMetrics(h.seeded.clusterId, 1));
    await expect.poll(() => cost.textContent(), { timeout: 10_000 }).not.toBe(before);
    await expect.poll(() => page.getByTestId('capacity-mix').textContent()).toContain('2 on-demand');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Open navigation' }).waitFor();
    // The navigation slides away on narrow screens: wait until it is out of view.
    await page.waitForFunction(() => (document.querySelector('nav')?.getBoundingClientRect().right ?? 0) <= 0);
    await shot(page, 'overview-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('registers a cluster and shows its agent key and install command once', async () => {
    await go(page, '/clusters', 'Clusters');
    await page.getByRole('button', { name: 'Register a cluster' }).click();
    await choose(page, 'Customer', 'Acme Retail');
    await field(page, 'Cluster name').fill('staging-eu');
    await field(page, 'AWS region').fill('eu-west-1');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const key = page.getByLabel('Agent API key', { exact: true });
    await key.waitFor();
    expect((await key.textContent())!.length).toBeGreaterThan(20);
    expect(await page.getByLabel('Install with the script', { exact: true }).textContent()).toContain('--api-key');
    await shot(page, 'cluster-register');
    await page.getByRole('button', { name: 'I have copied the key' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'staging-eu' }).waitFor();
    await shot(page, 'clusters');

    await page.getByRole('link', { name: 'prod-us-east-1' }).click();
    await page.getByRole('heading', { level: 1, name: 'prod-us-east-1' }).waitFor();
    await page.getByRole('cell', { name: 'm5.xlarge' }).first().waitFor();
    await shot(page, 'cluster-detail');
  });

  it('plans an optimization, shows its rationale and steps, and approves it', async () => {
    await go(page, '/optimizations', 'Optimizations');
    await choose(page, 'Cluster', 'prod-us-east-1 (us-east-1)');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByTestId('plan-detail').waitFor({ timeout: 20_000 });
    await page.getByRole('region', { name: 'Rationale' }).waitFor();
    const approve = page.getByRole('button', { name: 'Approve plan' });
    expect(await approve.isVisible(), await page.getByTestId('plan-detail').textContent() ?? '').toBe(true);
    await shot(page, 'optimization-plan');
    await approve.click();
    await expect.poll(() => approve.count()).toBe(0);
    expect(await page.getByTestId('plan-detail').getByText('approved', { exact: true }).count()).toBeGreaterThan(0);
    await page.getByRole('link', { name: '← All optimizations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Optimizations' }).waitFor();
    await page.getByRole('cell', { name: 'approved' }).first().waitFor();
    await shot(page, 'optimizations');
  });

  it('refuses a bad model file in words, uploads and activates a good one', async () => {
    const dir = join(tmpdir(), `cloudoptim-e2e-models-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'not-a-model.json'), JSON.stringify({ hello: 'world' }));
    writeFileSync(join(dir, 'risk-model.json'), trainSmallModel('9.0.0-e2e'));
    await go(page, '/models', 'Models');
    const file = page.locator('input[type=file]');
    await file.setInputFiles(join(dir, 'not-a-model.json'));
    await page.getByRole('button', { name: 'Upload and validate' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 15_000 }).toContain('The ML server refused the model');

    await file.setInputFiles(join(dir, 'risk-model.json'));
    await page.getByRole('button', { name: 'Upload and validate' }).click();
    await page.getByText('Model 9.0.0-e2e uploaded and validated').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Activate 9.0.0-e2e' }).click();
    await page.getByText(/Serving\s+9\.0\.0-e2e/).waitFor({ timeout: 15_000 });
    // A test prediction, scored by the model just activated.
    await page.getByRole('button', { name: 'Predict' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Interruption probability' }).textContent(), { timeout: 15_000 }).toContain('model 9.0.0-e2e');
    await shot(page, 'models');

    rmSync(dir, { recursive: true, force: true });

    await go(page, '/predictions', 'Predictions vs actual');
    await page.getByText(/Predicted probability vs observed interruption rate/).waitFor({ timeout: 15_000 });
    await shot(page, 'predictions');
  });

  it('finds price gaps and fills them with live progress', async () => {
    await go(page, '/gap-filler', 'Gap filler');
    await field(page, 'Instance types').fill('m5.large');
    await page.keyboard.press('Enter');
    await field(page, 'Zones').fill('us-east-1a');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Find gaps' }).click();
    await page.getByRole('heading', { name: 'Gaps in us-east-1' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Fill gaps' }).click();
    const job = page.getByTestId('gap-job');
    await expect.poll(() => job.textContent(), { timeout: 30_000 }).toMatch(/completed|failed/);
    expect(await job.textContent()).toContain('completed');
    expect(await job.textContent()).toMatch(/records filled/);
    await shot(page, 'gap-filler');
  });

  it('views the backtest: the cluster replayed on a short window, strategies compared in a chart and a table', async () => {
    await go(page, '/backtest', 'Backtest');
    await choose(page, 'Cluster', 'prod-us-east-1 (us-east-1)');
    await field(page, 'From').fill('2021-05-24');
    await field(page, 'To').fill('2021-05-27');
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await page.getByRole('heading', { name: 'Strategies compared' }).waitFor({ timeout: 20_000 });
    await page.getByText('Daily cost per strategy').waitFor();
    for (const strategy of ['on-demand', 'cheapest-spot', 'cloudoptim']) await page.getByRole('cell', { name: new RegExp(`^${strategy}`) }).first().waitFor();
    expect(await page.getByText(/prod-us-east-1: \d+ nodes .* in us-east-1/).count()).toBe(1);
    await shot(page, 'backtest');
  });

  it('edits settings and office hours, and shows every other page', async () => {
    await go(page, '/settings', 'Settings');
    await choose(page, 'Cluster', 'prod-us-east-1 (us-east-1)');
    const share = field(page, 'Spot share cap (%)');
    await share.fill('60');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/Saved as version 2/).waitFor();
    await shot(page, 'settings');

    await go(page, '/office-hours', 'Office hours');
    await choose(page, 'Cluster', 'prod-us-east-1 (us-east-1)');
    await page.getByRole('button', { name: 'Add a schedule' }).click();
    await field(page, 'Namespaces').fill('staging');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Preview savings' }).click();
    await page.getByText(/Projected savings:|Could not preview/).waitFor({ timeout: 20_000 });
    await shot(page, 'office-hours');

    await go(page, '/rightsizing', 'Rightsizing');
    await choose(page, 'Cluster', 'prod-us-east-1 (us-east-1)');
    const compute = page.getByRole('button', { name: 'Compute recommendations' });
    await compute.click();
    await page.getByText(/Recommendations of|Could not compute/).waitFor({ timeout: 20_000 });
    await expect.poll(() => compute.getAttribute('data-loading')).toBeNull();
    await shot(page, 'rightsizing');


    await go(page, '/spot-events', 'Spot events');
    await page.getByText(/No Spot events|Received/).first().waitFor();
    await shot(page, 'spot-events');
  });
});
