import { expect, test } from '@playwright/test';
import crypto from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createUser, expectNoAxeViolations, hydrated, signIn, uniqueEmail } from './helpers';

// Issue 14, "Webhooks": an administrator subscribes a receiver (a Node HTTP server this spec
// starts on loopback) to new accounts; a loopback address is refused next to the field until they
// allow it; the secret is shown once; a new account reaches the receiver, signed so that Node's
// own crypto verifies it; the delivery is listed with the receiver's answer; a test event goes too.
type Got = { headers: http.IncomingHttpHeaders; body: string };
const got: Got[] = [];
let server: http.Server;
let url = '';

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('received');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

test.afterAll(async () => {
  await new Promise((done) => server.close(done));
});

function verifies(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1 ?? ''));
}

test('an administrator subscribes a receiver and it gets signed events', async ({ page, request }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/webhooks');
  await hydrated(page);
  const form = page.getByRole('region', { name: 'Add a webhook' });
  await form.getByLabel('URL').fill(url);
  await form.getByLabel('Description').fill('HR system');
  await form.getByRole('checkbox', { name: /Account created/ }).check();
  await form.getByRole('button', { name: 'Add webhook' }).click();
  // A loopback address: refused next to the field, what was typed kept.
  await expect(form.getByText(/private or loopback address/)).toBeVisible();
  await expect(form.getByLabel('URL')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('checkbox', { name: /Account created/ })).toBeChecked();
  await form.getByRole('checkbox', { name: /Allow private and loopback addresses/ }).check();
  await form.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByTestId('webhook-secret')).toHaveText(/^whsec_/);
  const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
  const card = page.getByRole('region', { name: url, exact: true });
  await expect(card).toContainText('Sends: Account created');

  // A new account: the receiver gets it, signed with that secret.
  const email = uniqueEmail('hooked');
  await createUser(request, email);
  await expect
    .poll(() => got.filter((g) => g.body.includes(email)).length, { timeout: 20_000 })
    .toBe(1);
  const event = got.find((g) => g.body.includes(email))!;
  expect(event.headers['lyceum-event']).toBe('user.created');
  expect(JSON.parse(event.body).data.email).toBe(email);
  const signature = String(event.headers['lyceum-signature']);
  expect(verifies(secret, signature, event.body)).toBe(true);
  expect(verifies('whsec_wrong', signature, event.body)).toBe(false);

  // A test event, from the card; the deliveries list shows both with the receiver's answer.
  await card.getByRole('button', { name: `Send a test event to ${url}` }).click();
  await expect(page.getByText('A test event is on its way')).toBeVisible();
  await expect.poll(() => got.filter((g) => g.headers['lyceum-event'] === 'ping').length, { timeout: 20_000 }).toBe(1);
  const deliveries = page.getByRole('region', { name: 'Deliveries' });
  await expect(async () => {
    await deliveries.getByRole('button', { name: 'Refresh' }).click();
    await expect(deliveries.getByRole('row').filter({ hasText: 'ping' }).first()).toContainText('Delivered (200)', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(deliveries.getByRole('row').filter({ hasText: 'user.created' }).first()).toContainText('Delivered (200)');
  await expectNoAxeViolations(page);

  // A second webhook: the deliveries can be shown per webhook.
  const second = `${url}?second`;
  await form.getByLabel('URL').fill(second);
  await form.getByRole('checkbox', { name: /Course completed/ }).check();
  await form.getByRole('checkbox', { name: /Allow private and loopback addresses/ }).check();
  await form.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByRole('region', { name: second })).toBeVisible();
  const of = deliveries.getByRole('navigation', { name: 'Deliveries of' });
  await of.getByRole('link', { name: second }).click();
  await expect(deliveries.getByText('Nothing sent yet.')).toBeVisible();
  await expect(of.getByRole('link', { name: second })).toHaveAttribute('aria-current', 'page');
  await of.getByRole('link', { name: 'All webhooks' }).click();
  await expect(deliveries.getByRole('row').filter({ hasText: 'ping' }).first()).toBeVisible();

  // Edit moves the keyboard to the form, filled with the webhook's settings.
  await card.getByRole('button', { name: `Edit the webhook ${url}` }).click();
  const editor = page.getByRole('region', { name: 'Edit the webhook' });
  await expect(editor.getByLabel('URL')).toBeFocused();
  await expect(editor.getByLabel('URL')).toHaveValue(url);
  await expect(editor.getByRole('checkbox', { name: /Account created/ })).toBeChecked();
});
