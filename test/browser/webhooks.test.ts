// The webhook pages in Chromium against a real server and a real receiver: add an endpoint (the
// secret shown once), send a test event and see it delivered in the log, a receiver that fails
// until Roster turns the endpoint off (the notice Admins then see on every page), and "Resend".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { browserSkipReason, launchChromium, type RunningServer, startServer } from '../helpers/browser.ts';
import { startReceiver, type TestReceiver } from '../helpers/webhook-receiver.ts';

async function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text we assert on.
  return locator.innerText();
}

const ADMIN = { email: 'ada@example.test', password: 'analytical engine 1843' };

describe('the webhook pages in Chromium', { skip: browserSkipReason(), timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let receiver: TestReceiver;
  let worker: DeliveryWorker;
  const url = (path: string) => `${server.baseUrl}${path}`;

  before(async () => {
    server = await startServer({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE: '0' });
    await initOrganization(server.store, {
      name: 'Analytical Engines',
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      actor: CLI_ACTOR,
    });
    receiver = await startReceiver();
    worker = new DeliveryWorker(server.store, { settings: server.config.webhooks, retentionDays: 30 });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(url('/signin'));
    await page.getByLabel('Email address').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/members$/);
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  it('adds an endpoint and shows its signing secret once', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(/\/settings\/organization\/webhooks$/);
    assert.match(await text(page.locator('main')), /No webhook endpoint yet/);
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await text(page.locator('#webhook-secret code'));
    assert.match(secret, /^whsec_/);
    receiver.secrets.push(secret);
    // Reloading the answer sends the form again: it creates nothing more and shows no secret.
    await page.reload();
    assert.equal(await page.locator('#webhook-secret').count(), 0);
    await page.goto(url('/settings/organization/webhooks'));
    assert.equal(await page.getByRole('link', { name: receiver.url }).count(), 1);
    await page.getByRole('link', { name: receiver.url }).click();
    assert.equal(await page.locator('#webhook-secret').count(), 0, 'not shown again');
  });

  it('sends a test event and shows it delivered in the log', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    assert.match(await text(page.getByRole('status')), /A test event is on its way/);
    await worker.drain();
    assert.equal(receiver.received.length, 1);
    assert.deepEqual(receiver.received[0]?.verified, [true]);
    await page.reload();
    const row = page.getByRole('region', { name: 'Deliveries' }).locator('tbody tr').first();
    assert.match(await text(row), /webhook\.test[\s\S]*Delivered[\s\S]*1[\s\S]*204/);
  });

  it('tells Admins when Roster turned the endpoint off, and resends once it is fixed', async () => {
    receiver.answer = () => ({ status: 500, body: 'broken' });
    await page.getByRole('button', { name: 'Send test event' }).click();
    await worker.drain();
    await page.goto(url('/members'));
    assert.match(await text(page.locator('#webhooks-disabled')), /A webhook endpoint was turned off/);
    await page.getByRole('link', { name: 'Review webhooks' }).click();
    assert.match(await text(page.locator('main')), /Disabled by Roster/);
    await page.getByRole('link', { name: receiver.url }).click();
    assert.match(await text(page.locator('#endpoint-disabled')), /HTTP 500/);
    const failed = page.getByRole('region', { name: 'Deliveries' }).locator('tbody tr').first();
    assert.match(await text(failed), /Failed[\s\S]*500/);

    receiver.answer = () => ({ status: 204 });
    await page.getByRole('button', { name: 'Enable' }).click();
    assert.equal(await page.locator('#endpoint-disabled').count(), 0);
    await page
      .getByRole('region', { name: 'Deliveries' })
      .locator('tbody tr')
      .first()
      .getByRole('button', { name: 'Resend' })
      .click();
    assert.match(await text(page.getByRole('status')), /sent again/);
    await worker.drain();
    await page.reload();
    const resent = page.getByRole('region', { name: 'Deliveries' }).locator('tbody tr').first();
    assert.match(await text(resent), /Delivered/);
    assert.equal(receiver.received.at(-1)?.id, receiver.received.at(-2)?.id, 'the same message again');
    await page.goto(url('/members'));
    assert.equal(await page.locator('#webhooks-disabled').count(), 0);
  });
});
